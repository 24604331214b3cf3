import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { fetchHealth as health, healthUrl, killAllCli, localRunEnv, runCli, startCli, waitUntil } from '../../support/cli-process.js';
import { startSimulatorForSync } from '../../support/simulator-client.js';

const PASSWORD = 'health-test-password-55c1';

describe('mpas-log-sync run --health-port', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    simulator = await startSimulatorForSync(PASSWORD);
    receiver = await startSiemReceiver();
    stateDir = await mkdtemp(join(tmpdir(), 'cli-health-'));
    const events = generateEvents({ seed: 9, realm: 'acme', count: 50, startTime: Date.now() - 600_000, spacingMs: 5_000 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    env = localRunEnv({ mpasUrl: simulator.url, password: PASSWORD, startFrom: Date.now() - 3_600_000, stateDir, siemUrl: `${receiver.url}/ingest` }, { MPAS_SETTLE_MS: '1000' });
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('answers 200 ok after a complete poll, 503 naming the stream once a poll fails, and stops cleanly on SIGTERM', async () => {
    const child = startCli(['run', '--health-port', '0', '--poll-interval', '1000', '--health-max-lag', '120'], env);
    const url = await waitUntil(() => healthUrl(child), 'the health endpoint log line');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/health$/);
    const ok = await waitUntil(async () => {
      const answer = await health(url);
      return answer.body.lastSuccessAt !== null ? answer : undefined;
    }, 'a complete poll');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', deadLetters: 0, reasons: [], lastPoll: { status: 'complete', failures: [] } });
    expect(ok.body.lagSeconds).toBeGreaterThanOrEqual(1);
    expect(receiver.received()).toHaveLength(50);

    // Every events page is now malformed: the next poll fails for both streams.
    simulator.faults.setMalformedNext(1_000);
    const degraded = await waitUntil(async () => {
      const answer = await health(url);
      return answer.status === 503 ? answer : undefined;
    }, 'a 503');
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.lastPoll!.failures.map((failure) => `${failure.realm} ${failure.stream}`).sort()).toEqual(['acme admin', 'acme user']);
    expect(degraded.body.reasons.join(' ')).toContain('the last poll failed');
    expect((await fetch(url.replace('/health', '/other'))).status).toBe(404);

    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });

  it('answers 503 when the lag passes --health-max-lag, and refuses --health-host without --health-port', async () => {
    const child = startCli(['run', '--health-port', '0', '--poll-interval', '600000', '--health-max-lag', '2'], env);
    const url = await waitUntil(() => healthUrl(child), 'the health endpoint log line');
    const lagging = await waitUntil(async () => {
      const answer = await health(url);
      return answer.status === 503 && answer.body.lastSuccessAt !== null ? answer : undefined;
    }, 'a lag above 2 s');
    expect(lagging.body.lagSeconds).toBeGreaterThanOrEqual(2);
    expect(lagging.body.reasons.join(' ')).toMatch(/lag \d+ s is above 2 s/);
    child.kill('SIGTERM');
    await child.exited;

    const usage = await runCli(['run', '--once', '--health-host', '0.0.0.0'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--health-host and --health-max-lag go with --health-port');
  });
});
