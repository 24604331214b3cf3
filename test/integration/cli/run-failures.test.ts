import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../../lib/cli/status-command.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { fetchHealth, healthUrl, killAllCli, localRunEnv, runCli, startCli, waitUntil } from '../../support/cli-process.js';
import type { CliProcess } from '../../support/cli-process.js';
import { selfSignedCertificate } from '../../support/self-signed-certificate.js';
import { startSimulatorForSync } from '../../support/simulator-client.js';
import { closedPort } from '../../support/closed-port.js';

const PASSWORD = 'failures-test-password-3d1f';
const SIEM_TOKEN = 'siem-token-6b0e7c41a9';
const EVENTS = 40;
const START_FROM = Date.now() - 3_600_000;

interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

function logLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}


function cursorTime(stateDir: string): number | undefined {
  const text = readFileSync(join(stateDir, 'default.cursor.json'), 'utf8');
  return (JSON.parse(text) as { positions?: Record<string, { time: number }> }).positions?.['acme#user']?.time;
}

function ids(receiver: SiemReceiver): string[] {
  return receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
}

describe('mpas-log-sync run when the SIEM or MPAS fails', () => {
  let simulator: MpasSimulator;
  let dir: string;
  let tls: { key: string; cert: string };
  let expectedIds: string[];
  const receivers: SiemReceiver[] = [];

  const receiver = async (options: Parameters<typeof startSiemReceiver>[0] = {}): Promise<SiemReceiver> => {
    const started = await startSiemReceiver(options);
    receivers.push(started);
    return started;
  };

  /** The settings of a run; without `siemUrl`, the SIEMs come from a config file's routes. */
  const envFor = (stateDir: string, siemUrl?: string, extra: Record<string, string> = {}): Record<string, string> =>
    localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: START_FROM, stateDir, siemUrl },
      { MPAS_STREAMS: 'user', MPAS_SETTLE_MS: '1000', ...(siemUrl === undefined ? {} : { SIEM_TIMEOUT_MS: '300', SIEM_ATTEMPTS: '2' }), ...extra },
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-run-failures-'));
    tls = selfSignedCertificate(dir, 'mpas-log-sync test SIEM');
    simulator = await startSimulatorForSync(PASSWORD);
    const events = generateEvents({ seed: 17, realm: 'acme', count: EVENTS, startTime: START_FROM + 1_000, spacingMs: 10_000, adminShare: 0 }).user;
    simulator.add('acme', 'user', events);
    expectedIds = events.flatMap((event) => (event.id === undefined ? [] : [event.id])).sort();
  });

  afterEach(async () => {
    await killAllCli();
  });

  afterAll(async () => {
    await Promise.all(receivers.map((started) => started.close()));
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run --once ends by itself with exit 1 for SIEMs refused, answering 401, with an untrusted certificate or too slow, and for MPAS down; says each cause once; loses nothing', async () => {
    const refusedPort = await closedPort();
    const mpasPort = await closedPort();
    const unauthorized = await receiver();
    // A collector that echoes the token it refused: the log must not.
    unauthorized.failNext({ count: 1_000, status: 401, body: JSON.stringify({ error: `invalid token ${SIEM_TOKEN}` }) });
    const untrusted = await receiver({ tls });
    const slow = await receiver();
    // Slower than the ceiling of its timeout (8 x 300 ms): one within it gets its events after a few timeouts.
    slow.setLatency(3_000);
    const healthy = await receiver();
    // One process, four routes, each SIEM failing its own way: every route gets each batch on its own.
    const siem = (url: string, extra: Record<string, unknown> = {}) => ({ type: 'https', url, batch: 'array', timeoutMs: 5_000, attempts: 2, ...extra });
    const failingRoutes = [
      { name: 'refused', siem: siem(`http://127.0.0.1:${refusedPort}/ingest`) },
      { name: 'unauthorized', siem: siem(`${unauthorized.url}/ingest`, { auth: { kind: 'bearer', token: SIEM_TOKEN } }) },
      { name: 'untrusted', siem: siem(`${untrusted.url}/ingest`) },
      // One request per event, four at a time: more than run --once's limit of one delivery
      // (300 ms, then 600 ms after a timeout, + 5 s) would take, so the limit cuts it short.
      { name: 'slow', siem: siem(`${slow.url}/ingest`, { timeoutMs: 300, batch: 'single', concurrency: 4 }) },
    ];
    const configFile = (name: string, routes: unknown[]): string => {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify({ routes }));
      return path;
    };
    const stateDir = join(dir, 'once');
    const env = envFor(stateDir);
    const mpasDownEnv = envFor(join(dir, 'mpas-down'), `${healthy.url}/mpas-down`, { MPAS_BASE_URL: `http://127.0.0.1:${mpasPort}`, MPAS_REQUEST_TIMEOUT_MS: '300' });

    // Both processes at once; each must end by itself (no timeout of ours ends them).
    const [siems, mpasDown] = await Promise.all([runCli(['run', '--once', '--config', configFile('failing', failingRoutes)], env), runCli(['run', '--once'], mpasDownEnv)]);

    const context = `${siems.stdout}\n${siems.stderr}`;
    expect(siems.code, context).toBe(1);
    expect(context).not.toContain(SIEM_TOKEN);
    const lines = logLines(siems.stdout);
    const causes: Record<string, RegExp> = {
      refused: new RegExp(`^connection error ECONNREFUSED: connection refused by 127\\.0\\.0\\.1:${refusedPort}$`),
      unauthorized: /^HTTP 401: \{"error":"invalid token \*\*\*"\}$/,
      untrusted: /^connection error DEPTH_ZERO_SELF_SIGNED_CERT: TLS certificate rejected \(self-signed certificate\)$/,
      slow: /^timeout: no complete response within 300 ms$/,
    };
    for (const [route, cause] of Object.entries(causes)) {
      const said = lines.filter((line) => line.message === 'SIEM request failed' && line['target'] === `route ${route}`);
      expect(said, `${route}: the cause is said once, not once per attempt\n${context}`).toHaveLength(1);
      expect(said[0], context).toMatchObject({ level: 'warn', side: 'SIEM', cause: expect.stringMatching(cause) });
      expect(siems.stderr, context).toMatch(new RegExp(`^not delivered: ${EVENTS} acme user events \\(and what was read after them\\) to the SIEM of route ${route}: `, 'm'));
    }
    expect(lines.find((line) => line.message === 'SIEM request failed' && line['target'] === 'route slow')?.['note']).toMatch(/a retry can be a copy/);
    const stopped = lines.find((line) => line.message === 'stopped');
    expect(stopped, context).toMatchObject({ level: 'error', events: 0 });
    expect((stopped?.['undelivered'] as Array<{ route: string }>).map(({ route }) => route).sort()).toEqual(Object.keys(causes).sort());
    expect(siems.stderr, context).toContain('nothing is lost');
    expect(cursorTime(stateDir), 'the cursor did not move').toBe(START_FROM);
    // The slow SIEM stored what it got after we gave up: at most one copy per attempt.
    const copies = new Map<string, number>();
    for (const id of ids(slow)) copies.set(id, (copies.get(id) ?? 0) + 1);
    expect(Math.max(0, ...copies.values())).toBeLessThanOrEqual(2);
    // Each request holds one of 4 slots for its whole timeout (300 ms, doubling after timeouts):
    // 2 attempts of 40 requests need over 6 s, more than the limit, which cut the delivery short.
    expect(slow.stats().requests, 'the limit cut the delivery short').toBeLessThan(2 * EVENTS);
    expect(unauthorized.received()).toEqual([]);
    expect(untrusted.received()).toEqual([]);

    const mpasContext = `${mpasDown.stdout}\n${mpasDown.stderr}`;
    expect(mpasDown.code, mpasContext).toBe(1);
    const mpasLines = logLines(mpasDown.stdout);
    const mpasSaid = mpasLines.filter((line) => line.message === 'MPAS request failed');
    expect(mpasSaid, mpasContext).toHaveLength(1);
    expect(mpasSaid[0], mpasContext).toMatchObject({
      level: 'warn',
      side: 'MPAS',
      target: 'token endpoint',
      cause: `a connection failure (ECONNREFUSED: connection refused by 127.0.0.1:${mpasPort})`,
    });
    expect(mpasLines.find((line) => line.message === 'poll'), mpasContext).toMatchObject({ status: 'failed', failures: [{ realm: 'acme', stream: 'user' }] });
    expect(mpasDown.stderr, mpasContext).toMatch(/^not read: acme user from MPAS: MPAS token endpoint unavailable after 5 attempts, last with a connection failure \(ECONNREFUSED/m);

    // Nothing lost: the next run, against SIEMs that work, delivers every event once to each route.
    const healthyRoutes = failingRoutes.map(({ name }) => ({ name, siem: siem(`${healthy.url}/${name}`) }));
    const recovered = await runCli(['run', '--once', '--config', configFile('healthy', healthyRoutes)], env);
    expect(recovered.code, recovered.stderr).toBe(0);
    for (const { name } of failingRoutes) {
      const delivered = healthy.received().filter((item) => item.path === `/${name}`).map((item) => (item.json as { event: { id: string } }).event.id);
      expect(delivered.sort(), name).toEqual(expectedIds);
    }
  });

  it('names the failing SIEM in /health before any poll ends, retries with backoff, and recovers by itself when the SIEM returns', async () => {
    const port = await closedPort();
    const stateDir = join(dir, 'continuous');
    const child: CliProcess = startCli(['run', '--health-port', '0', '--poll-interval', '500'], envFor(stateDir, `http://127.0.0.1:${port}/ingest`));
    const url = await waitUntil(() => healthUrl(child), 'the health endpoint');
    const health = (): ReturnType<typeof fetchHealth> => fetchHealth(url);
    const failing = await waitUntil(async () => {
      const answer = await health();
      return answer.body.failing.length > 0 ? answer : undefined;
    }, '/health naming the SIEM');
    expect(failing.status).toBe(503);
    expect(failing.body.lastPoll, 'said before the blocked poll ended').toBeNull();
    expect(failing.body.failing).toEqual([{ side: 'SIEM', target: 'route default', cause: `connection error ECONNREFUSED: connection refused by 127.0.0.1:${port}`, since: expect.any(String), attempts: expect.any(Number) }]);
    expect(failing.body.reasons[0]).toMatch(/^the SIEM \(route default\) fails since /);
    // status, another process, reads what run wrote into the state directory.
    const printed: string[] = [];
    const io = { out: (text: string) => printed.push(text), err: (text: string) => printed.push(text), isTty: false };
    expect(await statusCommand.run(['--state', stateDir], {}, io)).toBe(0);
    expect(printed.join('\n')).toMatch(new RegExp(`^  FAILING SIEM route default since \\S+ \\(\\d+ failed attempts\\): connection error ECONNREFUSED: connection refused by 127\\.0\\.0\\.1:${port}$`, 'm'));

    // The SIEM comes back on its port: the run delivers everything once and says it recovered.
    const back = await receiver({ port });
    const ok = await waitUntil(async () => {
      const answer = await health();
      return answer.status === 200 && answer.body.failing.length === 0 && back.received().length >= EVENTS ? answer : undefined;
    }, 'recovery');
    expect(ok.body.lastPoll).toMatchObject({ status: 'complete' });
    expect(ids(back).sort()).toEqual(expectedIds);
    const lines = logLines(child.output().stdout);
    expect(lines.filter((line) => line.message === 'SIEM request failed')).toHaveLength(1);
    expect(lines.find((line) => line.message === 'SIEM recovered')).toMatchObject({ level: 'info', target: 'route default', failedAttempts: expect.any(Number) });
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
