import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { jsonLines, killAllCli, runCli, startCli } from '../../support/cli-process.js';
import { holdMpasAfterReads, releaseMpasReads } from '../../support/hold-mpas-reads.js';

const PASSWORD = 'replay-test-password-91b2';
const SEED = 4242;
const HOUR = 3_600_000;

function keyOf(item: ReceivedItem): string {
  const { eventType, event } = item.json as { eventType: string; event: { id?: string } };
  return `${eventType}:${String(event.id)}`;
}

async function waitUntil(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('mpas-log-sync backfill and replay', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let startTime: number;
  let all: Array<{ key: string; time: number }>;

  beforeEach(async () => {
    simulator = await startMpasSimulator({ realms: ['acme'], seed: SEED, users: [{ username: 'sync', password: PASSWORD, roles: ['view-events'] }] });
    receiver = await startSiemReceiver();
    stateDir = await mkdtemp(join(tmpdir(), 'cli-backfill-'));
    startTime = Date.now() - 4 * HOUR;
    const events = generateEvents({ seed: SEED, realm: 'acme', count: 3_000, startTime, spacingMs: 4_000, adminShare: 0.25 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    all = [
      ...events.user.map((event) => ({ key: `user-event:${event.id}`, time: event.time })),
      ...events.admin.map((event) => ({ key: `admin-event:${event.id}`, time: event.time })),
    ];
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  function environment(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: 'acme',
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: PASSWORD,
      MPAS_SETTLE_MS: '1000',
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'array',
      STATE_DIR: stateDir,
      ...overrides,
    };
  }

  it('answers --help with exit 0 and a missing or bad date with exit 2 naming the option', async () => {
    for (const command of ['backfill', 'replay']) {
      const help = await runCli([command, '--help'], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--from DATE');
    }
    const missing = await runCli(['replay', '--from', '2026-01-01'], environment());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--to');
    const bad = await runCli(['backfill', '--from', 'yesterday'], environment());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a date');
    const stream = await runCli(['backfill', '--from', '2026-01-01', '--stream', 'both'], environment());
    expect(stream.code).toBe(2);
    expect(stream.stderr).toContain('--stream must be user or admin');
  });

  it('replay delivers exactly the range, leaves the live cursor alone; a rerun sends nothing again and says how to replay anew, which works', async () => {
    const from = startTime + HOUR;
    const to = startTime + 2 * HOUR;
    const result = await runCli(
      ['replay', '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--stream', 'user', '--json'],
      environment(),
    );
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const expected = all.filter((event) => event.key.startsWith('user-event:') && event.time >= from && event.time <= to).map((event) => event.key);
    expect(expected.length).toBeGreaterThan(100);
    expect(receiver.received().map(keyOf).sort()).toEqual([...expected].sort());
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ type: 'start', kind: 'replay', streams: ['user'], realms: ['acme'] });
    expect(lines.at(-1)).toMatchObject({ type: 'done', status: 'complete', percent: 100, events: expected.length, deadLettered: 0 });
    const files = await readdir(stateDir);
    expect(files.some((name) => /^default\.replay-[0-9a-f]{12}\.cursor\.json$/.test(name))).toBe(true);
    await expect(access(join(stateDir, 'default.cursor.json'))).rejects.toThrow();

    const rangeArgs = ['replay', '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--stream', 'user'];
    const again = await runCli(rangeArgs, environment());
    expect(again.code).toBe(0);
    expect(receiver.received()).toHaveLength(expected.length);
    const told = /replay already complete: an earlier run of this command delivered every event of (\S+) \.\. (\S+), so nothing was sent again \(its cursor (\S+) is at the end\)\. To replay the range anew, delete that file and run the same command\./.exec(again.stdout);
    expect(told, again.stdout).not.toBeNull();
    expect([told![1], told![2]]).toEqual([new Date(from).toISOString(), new Date(to).toISOString()]);
    expect(jsonLines((await runCli([...rangeArgs, '--json'], environment())).stdout).at(-1)).toMatchObject({ type: 'done', status: 'complete', events: 0, alreadyComplete: true });

    await rm(told![3]!);
    const anew = await runCli(rangeArgs, environment());
    expect(anew.code, anew.stderr).toBe(0);
    expect(anew.stdout).toContain(`replay complete: ${expected.length} events delivered by this run`);
    expect(receiver.received()).toHaveLength(2 * expected.length);
  });

  it('backfill prints plain progress lines when stdout is not a terminal, and starts the live cursor with --set-live-cursor', async () => {
    const result = await runCli(['backfill', '--from', new Date(startTime - 1000).toISOString(), '--set-live-cursor'], environment());
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/progress +100\.0% +3000 events +\d+\/s +ETA 0s/);
    expect(result.stdout).toContain('backfill complete: 3000 events delivered by this run');
    expect(result.stdout).toContain('live cursor started');
    const live = JSON.parse(await readFile(join(stateDir, 'default.cursor.json'), 'utf8')) as { positions: Record<string, { time: number }>; lease?: unknown };
    expect(Object.keys(live.positions).sort()).toEqual(['acme#admin', 'acme#user']);
    expect(live.lease).toBeUndefined();

    // The live run continues where the backfill ended: nothing again.
    const run = await runCli(['run', '--once'], environment());
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.received()).toHaveLength(3_000);
    expect(new Set(receiver.received().map(keyOf)).size).toBe(3_000);

    // Again, now that the live cursor has positions: nothing new, and the flag says why it changed nothing.
    const again = await runCli(['backfill', '--from', new Date(startTime - 1000).toISOString(), '--set-live-cursor'], environment());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('backfill complete, nothing new: earlier runs of this command delivered every event up to now minus the settle window');
    expect(again.stdout).toContain('live cursor not changed for acme#user, acme#admin: they have a live position already');
    expect(again.stdout).not.toContain('live cursor started');
    expect(receiver.received()).toHaveLength(3_000);
  });

  it('SIGTERM in the middle of a backfill loses nothing: what was read is delivered and committed, and a rerun finishes it', async () => {
    simulator.faults.setLatency(15);
    receiver.setLatency(15);
    // From the 500th event on, the SIEM takes half a second per chunk of 50: the run cannot
    // finish within 25 s of that, however fast the machine or late the signal, and the stop
    // still lands while chunks flow (it waits for the one in hand, half a second at most).
    let arrived = 0;
    receiver.onReceive(() => {
      arrived += 1;
      if (arrived === 500) receiver.setLatency(500);
    });
    const args = ['backfill', '--from', new Date(startTime - 1000).toISOString(), '--json', '--progress-every', '1'];
    const env = environment({ MPAS_PAGE_SIZE: '50' });
    const child = startCli(args, env);
    // Mid-run: a progress line has reported delivered events, and more are still to come.
    await waitUntil(() => jsonLines(child.output().stdout).some((line) => line.type === 'progress' && Number(line.events) > 0));
    expect(receiver.received().length).toBeLessThan(3_000);
    child.kill('SIGTERM');
    const first = await child.exited;
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toBe('');
    const done = jsonLines(first.stdout).find((line) => line.type === 'done');
    expect(done).toMatchObject({ status: 'stopped' });
    const deliveredFirst = receiver.received().length;
    expect(deliveredFirst).toBeLessThan(3_000);
    expect(done!.events).toBe(deliveredFirst);
    expect(jsonLines(first.stdout).some((line) => line.type === 'progress')).toBe(true);

    simulator.faults.setLatency(0);
    receiver.setLatency(0);
    const second = await runCli(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(jsonLines(second.stdout).find((line) => line.type === 'done')).toMatchObject({ status: 'complete', events: 3_000 - deliveredFirst });
    const keys = receiver.received().map(keyOf);
    expect(keys).toHaveLength(3_000);
    expect(new Set(keys)).toEqual(new Set(all.map((event) => event.key)));
  });

  it('SIGTERM while an MPAS read is in flight is a clean stop too: that page was never committed, and a rerun reads it', async () => {
    // The API-mode probe and the first page are answered; the second page's read (sent while
    // the first page is delivered) is held until the stop aborts it, however late that comes.
    holdMpasAfterReads(simulator, 2);
    const args = ['backfill', '--from', new Date(startTime - 1000).toISOString(), '--stream', 'user', '--json'];
    const env = environment({ MPAS_PAGE_SIZE: '500' });
    const child = startCli(args, env);
    // Once the first page is committed, the next read is under way.
    const firstPageCommitted = async (): Promise<boolean> => {
      const name = (await readdir(stateDir)).find((file) => /^default\.backfill-[0-9a-f]{12}\.cursor\.json$/.test(file));
      if (!name) return false;
      const text = await readFile(join(stateDir, name), 'utf8').catch(() => '{}');
      const position = (JSON.parse(text) as { positions?: Record<string, { time: number }> }).positions?.['acme#user'];
      return position !== undefined && position.time > startTime;
    };
    while (!(await firstPageCommitted())) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    const first = await child.exited;
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toBe('');
    expect(receiver.received()).toHaveLength(500);
    expect(jsonLines(first.stdout).find((line) => line.type === 'done')).toMatchObject({ status: 'stopped', events: receiver.received().length });

    releaseMpasReads(simulator);
    const second = await runCli(args, env);
    expect(second.code, second.stderr).toBe(0);
    const users = all.filter((event) => event.key.startsWith('user-event:')).map((event) => event.key);
    const keys = receiver.received().map(keyOf);
    expect(keys).toHaveLength(users.length);
    expect(new Set(keys)).toEqual(new Set(users));
  });

  it('replay delivers the range to every configured route, as run does', async () => {
    const second = await startSiemReceiver();
    try {
      const configFile = join(stateDir, 'routes.json');
      await writeFile(configFile, JSON.stringify({ routes: [{ name: 'second', siem: { type: 'https', url: `${second.url}/ingest`, batch: 'ndjson', format: 'cef' } }] }));
      const from = startTime;
      const to = startTime + HOUR / 2;
      const result = await runCli(['replay', '--config', configFile, '--from', String(from), '--to', String(to)], environment());
      expect(result.code, result.stderr + result.stdout).toBe(0);
      const expected = all.filter((event) => event.time >= from && event.time <= to);
      expect(receiver.received()).toHaveLength(expected.length);
      expect(second.received()).toHaveLength(expected.length);
      expect(second.received()[0]!.text).toMatch(/^CEF:0\|/);
    } finally {
      await second.close();
    }
  });
});
