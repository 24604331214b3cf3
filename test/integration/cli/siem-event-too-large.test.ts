import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { localRunEnv, runCli, useLocalRunRig } from '../../support/cli-process.js';

const PASSWORD = 'too-large-test-password-51c0';
const START_FROM = Date.now() - 3_600_000;

describe('an event too large for the SIEM', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'too-large-' });

  it('is dead-lettered with its size and the limit, never sent; the rest of its batch is delivered', async () => {
    const { simulator, receiver, stateDir } = rig;
    const events = generateEvents({ seed: 31, realm: 'acme', count: 10, startTime: START_FROM + 1_000, spacingMs: 10_000, adminShare: 0 }).user;
    const huge = events[4]!;
    huge.details = { ...huge.details, note: 'x'.repeat(1_200_000) };
    simulator.add('acme', 'user', events);
    const env = localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: START_FROM, stateDir, siemUrl: `${receiver.url}/ingest` },
      { MPAS_STREAMS: 'user', MPAS_SETTLE_MS: '1000', SIEM_BATCH: 'ndjson' },
    );
    const run = await runCli(['run', '--once'], env);
    const received = receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
    expect(received.sort()).toEqual(events.filter((event) => event !== huge).map((event) => event.id).sort());
    expect(Math.max(...receiver.requests().map((request) => request.bytes))).toBeLessThanOrEqual(1_000_000);
    // A dead letter is a failure of the run (exit 1), said as such; nothing is waiting to be retried.
    expect(run.code, run.stderr).toBe(1);

    const dlq = await runCli(['dlq', 'inspect', '--state', stateDir, '--json'], env);
    expect(dlq.code, dlq.stderr).toBe(0);
    const { records } = JSON.parse(dlq.stdout) as { records: Array<{ reason: string; detail: string; events: number }> };
    expect(records).toEqual([
      expect.objectContaining({ reason: 'rejected-by-siem', detail: expect.stringMatching(/^event too large for the SIEM: 12\d{5} bytes, over the request limit \(SIEM_MAX_BATCH_BYTES\) of 1000000 bytes; not sent$/), events: 1 }),
    ]);
  });
});
