import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { localRunEnv, runCli, startCli, useLocalRunRig } from '../../support/cli-process.js';
import { holdMpasAfterReads, releaseMpasReads } from '../../support/hold-mpas-reads.js';

const PASSWORD = 'signal-test-password-77aa';

describe('mpas-log-sync run, stopped while an MPAS read is in flight', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'cli-run-signal-' });

  it('exits 0 with nothing on stderr, commits nothing of the aborted page, and the next run delivers the rest once', async () => {
    const { simulator, receiver, stateDir } = rig;
    const startTime = Date.now() - 3_600_000;
    const events = generateEvents({ seed: 12, realm: 'acme', count: 1_200, startTime, spacingMs: 2_000, adminShare: 0 }).user;
    simulator.add('acme', 'user', events);
    const env = localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: startTime - 1_000, stateDir, siemUrl: `${receiver.url}/ingest` },
      { MPAS_STREAMS: 'user', MPAS_PAGE_SIZE: '300' },
    );
    // The API-mode probe and the first page are answered; the second page's read (sent while
    // the first page is delivered) is held until the stop aborts it, however late that comes.
    holdMpasAfterReads(simulator, 2);
    const child = startCli(['run'], env);
    // Once the first page is committed, the next read is under way.
    for (;;) {
      const text = await readFile(join(stateDir, 'default.cursor.json'), 'utf8').catch(() => '{}');
      const position = (JSON.parse(text) as { positions?: Record<string, { time: number }> }).positions?.['acme#user'];
      if (position !== undefined && position.time > startTime) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    const stopped = await child.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toBe('');
    expect(receiver.received()).toHaveLength(300);

    releaseMpasReads(simulator);
    const rest = await runCli(['run', '--once'], env);
    expect(rest.code, rest.stderr).toBe(0);
    const ids = receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
    expect(ids).toHaveLength(1_200);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.id)));
  });
});
