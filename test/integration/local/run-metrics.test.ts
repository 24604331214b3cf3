import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { healthUrl, localRunEnv, startCli, useLocalRunRig, waitUntil } from '../../support/cli-process.js';

const PASSWORD = 'metrics-test-password-83d0';

/** The samples of one scrape, `name{labels}` to value. */
async function scrape(base: string): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    // Label values may hold spaces (`target="route default"`).
    const match = /^(mpas_log_sync_[^{ ]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const delivered = (samples: Map<string, number>): number =>
  (samples.get('mpas_log_sync_events_delivered_total{realm="acme",stream="user"}') ?? 0) + (samples.get('mpas_log_sync_events_delivered_total{realm="acme",stream="admin"}') ?? 0);

describe('run --health-port: GET /metrics', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'run-metrics-' });

  it('gives the figures in the Prometheus text format, and they move as events are delivered and as the SIEM and MPAS fail', async () => {
    const backlog = generateEvents({ seed: 21, realm: 'acme', count: 40, startTime: Date.now() - 600_000, spacingMs: 5_000 });
    rig.simulator.add('acme', 'user', backlog.user);
    rig.simulator.add('acme', 'admin', backlog.admin);
    const env = localRunEnv({ mpasUrl: rig.simulator.url, password: PASSWORD, startFrom: Date.now() - 3_600_000, stateDir: rig.stateDir, siemUrl: `${rig.receiver.url}/ingest` }, { MPAS_SETTLE_MS: '500' });
    const child = startCli(['run', '--health-port', '0', '--poll-interval', '300'], env);
    const base = (await waitUntil(() => healthUrl(child), 'the health endpoint log line')).replace(/\/health$/, '');

    const first = await waitUntil(async () => {
      const samples = await scrape(base);
      return delivered(samples) === 40 && samples.has('mpas_log_sync_polls_total{status="complete"}') ? samples : undefined;
    }, 'the backlog delivered');
    expect(first.get('mpas_log_sync_events_read_total{realm="acme",stream="user"}')).toBe(backlog.user.length);
    expect(first.get('mpas_log_sync_events_read_total{realm="acme",stream="admin"}')).toBe(backlog.admin.length);
    expect(first.get('mpas_log_sync_pages_total{realm="acme",stream="user"}')).toBeGreaterThanOrEqual(1);
    expect(first.get('mpas_log_sync_lag_seconds{realm="acme",stream="user"}')).toBeLessThan(60);
    expect(first.get('mpas_log_sync_healthy')).toBe(1);
    expect(first.get('mpas_log_sync_lease_held')).toBe(1);
    expect(first.get('mpas_log_sync_siem_request_duration_seconds_count')).toBeGreaterThanOrEqual(1);

    // Two refused SIEM requests, then the retry takes the new events; one MPAS answer of 503, retried.
    rig.receiver.failNext({ count: 2, status: 503 });
    rig.simulator.faults.failNext({ count: 1, status: 503, endpoint: 'events' });
    const live = generateEvents({ seed: 22, realm: 'acme', count: 12, startTime: Date.now(), spacingMs: 10 });
    rig.simulator.add('acme', 'user', live.user);
    rig.simulator.add('acme', 'admin', live.admin);
    const after = await waitUntil(async () => {
      const samples = await scrape(base);
      const siemRetried = samples.get('mpas_log_sync_failed_attempts_total{side="siem",target="route default"}');
      // The consumer tells a failed request once the delivery it belongs to is over.
      return delivered(samples) === 52 && siemRetried !== undefined ? samples : undefined;
    }, 'the new events delivered', 20_000).catch(async (error: unknown) => {
      console.error([...(await scrape(base))].filter(([name]) => /failed|errors|delivered_total/.test(name)));
      throw error;
    });
    expect(after.get('mpas_log_sync_siem_errors_total{status="503"}')).toBe(2);
    expect(after.get('mpas_log_sync_failed_attempts_total{side="siem",target="route default"}')).toBe(2);
    expect(after.get('mpas_log_sync_failed_attempts_total{side="mpas",target="events endpoint"}')).toBe(1);
    expect(after.get('mpas_log_sync_events_read_total{realm="acme",stream="user"}')).toBe(backlog.user.length + live.user.length);
    expect(after.get('mpas_log_sync_pages_total{realm="acme",stream="user"}')!).toBeGreaterThan(first.get('mpas_log_sync_pages_total{realm="acme",stream="user"}')!);
    expect(rig.receiver.received()).toHaveLength(52);

    // The other paths of the port: HEAD answers as GET without a body, an unknown path names those served.
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const unknown = await fetch(`${base}/nope`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'not found: GET /health, GET /metrics, GET /status.json, GET /' }]);

    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
