import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../../lib/core/cursor/errors.js';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const storeModule = pathToFileURL(join(repoRoot, 'lib/stores/cursor/file-cursor-store.ts')).href;

// The child takes the lock and the lease at the fake time 1 000 for 1 000 ms, says so, and
// then only waits: it never releases, as a process killed mid-poll would not.
const holderScript = `
const { FileCursorStore } = await import(${JSON.stringify(storeModule)});
const store = new FileCursorStore({ stateDir: process.env.STATE_DIR, tenant: 'acme' });
await store.acquire({ owner: 'child', now: 1000, leaseMs: 1000 });
process.stdout.write('locked\\n');
setInterval(() => {}, 1 << 30);
`;

// A racer loads the store, says it is ready, and waits for "go" on stdin, so that all racers
// start their takeover at once; then it reports how it fared and keeps whatever it took.
const racerScript = `
const { FileCursorStore } = await import(${JSON.stringify(storeModule)});
const { LeaseHeldError } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'lib/core/cursor/errors.ts')).href)});
const store = new FileCursorStore({ stateDir: process.env.STATE_DIR, tenant: 'acme' });
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  try {
    await store.acquire({ owner: 'racer-' + process.pid, now: 5000, leaseMs: 1000 });
    process.stdout.write('won\\n');
  } catch (error) {
    process.stdout.write(error instanceof LeaseHeldError ? 'held\\n' : 'failed ' + String(error).replace(/\\n/g, ' ') + '\\n');
  }
  setInterval(() => {}, 1 << 30);
});
`;

let stateDir: string;
let child: ChildProcess | undefined;
const racers: ChildProcess[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'file-lock-processes-'));
});

afterEach(async () => {
  await Promise.all([child, ...racers.splice(0)].map((process) => (process ? kill(process) : undefined)));
  child = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

async function kill(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = once(process, 'exit');
  process.kill('SIGKILL');
  await exited;
}

function spawnScript(script: string): { process: ChildProcess; nextLine: () => Promise<string> } {
  const started = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, STATE_DIR: stateDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // readline's iterator buffers the lines that arrive before they are asked for.
  const lines = createInterface({ input: started.stdout! })[Symbol.asyncIterator]();
  return {
    process: started,
    nextLine: async () => {
      const next = await lines.next();
      if (next.done) throw new Error(`pid ${started.pid} ended its output before the line was written: ${stderr}`);
      return next.value;
    },
  };
}

/** Starts the lock-holding child and resolves once it reports the lock taken. */
async function startHolder(): Promise<ChildProcess> {
  const holder = spawnScript(holderScript);
  child = holder.process;
  expect(await holder.nextLine()).toBe('locked');
  return holder.process;
}

describe('FileCursorStore across processes', () => {
  it('refuses while another live process holds the lock, and takes it over once that process is killed', async () => {
    const holder = await startHolder();
    const store = new FileCursorStore({ stateDir, tenant: 'acme' });
    const lockPath = join(stateDir, 'acme.lock');

    const refused = store.acquire({ owner: 'parent', now: 5_000, leaseMs: 1_000 });
    await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(refused).rejects.toThrow(`pid ${holder.pid} on `);
    await expect(refused).rejects.toThrow(lockPath);

    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;

    const acquired = await store.acquire({ owner: 'parent', now: 5_000, leaseMs: 1_000 });
    // The child's lease (fence 1) expired at the fake time 2 000; the fence grows past it.
    expect(acquired.lease).toEqual({ owner: 'parent', fence: 2, leaseUntil: 6_000 });
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.release(acquired.lease);
  });

  it('lets exactly one of several processes started at once take over the lock of a killed one', async () => {
    for (let round = 0; round < 2; round += 1) {
      await kill(await startHolder());
      const started = Array.from({ length: 4 }, () => spawnScript(racerScript));
      racers.push(...started.map(({ process }) => process));
      for (const racer of started) expect(await racer.nextLine()).toBe('ready');
      for (const racer of started) racer.process.stdin?.write('go\n');

      const outcomes = await Promise.all(started.map(async (racer) => ({ pid: racer.process.pid, outcome: await racer.nextLine() })));
      const winners = outcomes.filter(({ outcome }) => outcome === 'won');
      expect(outcomes.filter(({ outcome }) => outcome !== 'won' && outcome !== 'held'), `round ${round}`).toEqual([]);
      expect(winners, `round ${round}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
      expect(JSON.parse(await readFile(join(stateDir, 'acme.lock'), 'utf8'))).toMatchObject({ pid: winners[0]!.pid });
      expect((await readdir(stateDir)).sort()).toEqual(['acme.cursor.json', 'acme.lock']);
      await Promise.all(racers.splice(0).map(kill));
    }
  });
});
