import { beforeEach, describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../lib/config/app-config-schema.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { HealthReport } from '../../../lib/local/health-tracker.js';
import { runLocal } from '../../../lib/local/local-runner.js';
import { MAX_RETRY_AFTER_MS } from '../../../lib/net/retry-after.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { fetchHealth, healthUrl, localRunEnv, startCli, useLocalRunRig, waitUntil } from '../../support/cli-process.js';

// The reproduction of issue #17: a SIEM answering 429 with `Retry-After: 3000000` (seconds).
// That wait, 3e9 ms, overflowed setTimeout (it fired after 1 ms): over 4,000 requests in 20 s.
const HUGE_RETRY_AFTER_SECONDS = 3_000_000;
const PASSWORD = 'retry-after-test-password-8e2a';
const START_FROM = Date.now() - 3_600_000;
const EVENTS = 20;

describe('a SIEM answering 429 with Retry-After: 3000000', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'huge-retry-after-' });

  beforeEach(() => {
    rig.simulator.add('acme', 'user', generateEvents({ seed: 23, realm: 'acme', count: EVENTS, startTime: START_FROM + 1_000, spacingMs: 10_000, adminShare: 0 }).user);
    rig.receiver.failNext({ count: 1_000_000, status: 429, retryAfterSeconds: HUGE_RETRY_AFTER_SECONDS });
  });

  it('makes the local runner wait the capped 15 minutes after one request, not retry at once', async () => {
    const { simulator, receiver, stateDir } = rig;
    const config = appConfigSchema.parse({
      mpas: { baseUrl: simulator.url, realms: ['acme'], streams: ['user'], authRealm: 'master', credentials: { username: 'sync', password: PASSWORD }, startFrom: START_FROM, settleMs: 1_000 },
      siem: { url: `${receiver.url}/ingest`, batch: 'array', attempts: 3 },
    }) as AppConfig;
    const stop = new AbortController();
    const sleeps: number[] = [];
    // Returns at once (time is not what is tested), and stops the run at the first wait of a minute or more.
    const sleep: Sleep = async (ms) => {
      sleeps.push(ms);
      if (ms >= 60_000) stop.abort();
    };
    await runLocal({ config, version: 'test', stateDir, sleep, random: () => 0.5, signal: stop.signal }).catch((error: unknown) => error);
    expect(Math.max(...sleeps), `sleeps asked for: ${sleeps.join(', ')}`).toBe(MAX_RETRY_AFTER_MS);
    expect(sleeps.filter((ms) => ms === MAX_RETRY_AFTER_MS)).toHaveLength(1);
    // The sink hands a Retry-After over 5 s back at once (no in-process retry); the consumer waits,
    // and once stopped tries the batch one last time before it gives it up: two requests in all.
    expect(receiver.stats()).toMatchObject({ requests: 2, byStatus: { 429: 2 } });
  });

  it('makes the real run process send one request, however long it keeps running', async () => {
    const { simulator, receiver, stateDir } = rig;
    const child = startCli(
      ['run', '--health-port', '0', '--poll-interval', '1000'],
      localRunEnv(
        { mpasUrl: simulator.url, password: PASSWORD, startFrom: START_FROM, stateDir, siemUrl: `${receiver.url}/ingest` },
        { MPAS_STREAMS: 'user', MPAS_SETTLE_MS: '1000', SIEM_ATTEMPTS: '3' },
      ),
    );
    const url = await waitUntil(() => healthUrl(child), 'the health endpoint');
    const health = async (): Promise<HealthReport> => (await fetchHealth(url)).body;
    const failing = await waitUntil(async () => {
      const report = await health();
      return report.failing.length > 0 ? report : undefined;
    }, '/health naming the SIEM');
    expect(failing.failing).toEqual([expect.objectContaining({ side: 'SIEM', cause: expect.stringContaining('HTTP 429') })]);
    // The process keeps serving: fifty answers later (each one a turn of its event loop in which a
    // retry loop without a working wait sent requests), the SIEM has still seen one request.
    for (let answered = 0; answered < 50; answered += 1) await health();
    expect(receiver.stats()).toMatchObject({ requests: 1, byStatus: { 429: 1 } });
    const warned = child.output().stdout.split('\n').filter((line) => line.includes('"SIEM request failed"'));
    expect(warned, 'said once, at warn, with the status').toEqual([expect.stringMatching(/"level":"warn".*HTTP 429/)]);
    // Stopped, it tries the batch one last time, fails it, and ends without waiting out the 15 minutes.
    child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.signal, exit.stderr).toBeNull();
    expect(exit.code, exit.stderr).toBe(1);
    expect(receiver.stats().requests).toBe(2);
  });
});
