import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { localRunEnv, runCli, startCli, useLocalRunRig, waitUntil } from '../../support/cli-process.js';
import type { CliProcess } from '../../support/cli-process.js';

const PASSWORD = 'file-lock-cli-password-5e1a';

interface CursorJson {
  fence?: number;
  lease?: { owner: string; fence: number };
  positions: Record<string, { time: number }>;
}

/** The `poll` log lines `run` wrote so far. */
function polls(child: CliProcess): Array<{ status: string; events: number }> {
  return child
    .output()
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { message: string; status: string; events: number })
    .filter((entry) => entry.message === 'poll');
}

// One state directory, one `run` holding it while it waits for its next poll: the moment no poll
// holds the lease, which a long-running process must still keep from every other process.
describe('the state directory of a running `run` (real processes)', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'file-lock-cli-' });
  const startTime = Date.now() - 3_600_000;
  const events = generateEvents({ seed: 19, realm: 'acme', count: 30, startTime, spacingMs: 60_000, adminShare: 0.5 });

  const env = (): Record<string, string> =>
    localRunEnv(
      { mpasUrl: rig.simulator.url, password: PASSWORD, startFrom: startTime - 1_000, stateDir: rig.stateDir, siemUrl: `${rig.receiver.url}/ingest` },
      { MPAS_STREAMS: 'user', MPAS_SETTLE_MS: '0', MPAS_LOOKBACK_MS: '0' },
    );
  const cursor = async (): Promise<CursorJson> => JSON.parse(await readFile(join(rig.stateDir, 'default.cursor.json'), 'utf8')) as CursorJson;

  /** A `run` that has finished its first poll and waits an hour for the next. */
  async function idleRun(): Promise<CliProcess> {
    rig.simulator.add('acme', 'user', events.user);
    rig.simulator.add('acme', 'admin', events.admin);
    const run = startCli(['run', '--poll-interval', '3600000'], env());
    await waitUntil(() => (polls(run).length > 0 ? true : undefined), `the first poll of run (stderr: ${run.output().stderr})`);
    expect(polls(run)[0]).toMatchObject({ status: 'complete', events: events.user.length });
    return run;
  }

  it('keeps its lock and lease between polls: a second run and a dlq redrive are refused naming it, status shows its lease', async () => {
    const run = await idleRun();
    const lockPath = join(rig.stateDir, 'default.lock');
    const held = await cursor();
    expect(held.lease?.owner).toBe(`${hostname()}:${run.pid}`);

    for (const args of [['run', '--once'], ['dlq', 'redrive', '--state', rig.stateDir]]) {
      const refused = await runCli(args, env());
      expect(refused.code, `${args.join(' ')}: ${refused.stderr}`).toBe(1);
      expect(refused.stderr).toContain(`refusing to start: the cursor lease is held by pid ${run.pid} on ${hostname()} (its lock file ${lockPath} was taken at `);
    }
    const status = await runCli(['status', '--state', rig.stateDir, '--json'], env());
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { cursors: Array<{ name: string; lease: { owner: string; expired: boolean } | null }> }).cursors[0]).toMatchObject({
      name: 'default',
      lease: { owner: `${hostname()}:${run.pid}`, expired: false },
    });
    // The refused processes changed nothing: the lease, the fence and the positions are the run's.
    expect(await cursor()).toEqual(held);
    expect(polls(run)).toHaveLength(1);
  });

  it('lets a backfill beside it deliver its range, but not start the live cursor that the run holds', async () => {
    const run = await idleRun();
    const backfill = await runCli(['backfill', '--from', new Date(startTime - 1_000).toISOString(), '--stream', 'admin', '--set-live-cursor'], env());
    expect(backfill.code, backfill.stderr).toBe(1);
    expect(backfill.stderr).toContain(`refusing to start: the cursor lease is held by pid ${run.pid}`);
    const adminIds = new Set(events.admin.map((event) => event.id));
    const received = rig.receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
    expect(received.filter((id) => adminIds.has(id)).sort()).toEqual([...adminIds].sort());
    expect(Object.keys((await cursor()).positions)).toEqual(['acme#user']);
  });

  it('gives its lock and lease up when stopped, keeping the fence, so the next run starts at once', async () => {
    const run = await idleRun();
    const { fence } = (await cursor()).lease!;
    run.kill('SIGTERM');
    const stopped = await run.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(existsSync(join(rig.stateDir, 'default.lock'))).toBe(false);
    const released = await cursor();
    expect(released.lease).toBeUndefined();
    expect(released.fence).toBe(fence);

    const next = await runCli(['run', '--once'], env());
    expect(next.code, next.stderr).toBe(0);
    expect((await cursor()).fence).toBeGreaterThan(fence);
  });
});
