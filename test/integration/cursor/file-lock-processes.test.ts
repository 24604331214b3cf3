import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../../lib/cursor/errors.js';
import { FileCursorStore } from '../../../lib/cursor/file-cursor-store.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const storeModule = pathToFileURL(join(repoRoot, 'lib/cursor/file-cursor-store.ts')).href;

// The child takes the lock and the lease at the fake time 1 000 for 1 000 ms, says so, and
// then only waits: it never releases, as a process killed mid-poll would not.
const holderScript = `
const { FileCursorStore } = await import(${JSON.stringify(storeModule)});
const store = new FileCursorStore({ stateDir: process.env.STATE_DIR, tenant: 'acme' });
await store.acquire({ owner: 'child', now: 1000, leaseMs: 1000 });
process.stdout.write('locked\\n');
setInterval(() => {}, 1 << 30);
`;

let stateDir: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'file-lock-processes-'));
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

/** Starts the lock-holding child and resolves once it reports the lock taken. */
async function startHolder(): Promise<ChildProcess> {
  const started = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holderScript], {
    cwd: repoRoot,
    env: { ...process.env, STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  let stderr = '';
  started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolveLocked, reject) => {
    let stdout = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('locked\n')) resolveLocked();
    });
    started.once('exit', (code, signal) => reject(new Error(`the lock holder exited (${code ?? signal}) before locking: ${stderr}`)));
  });
  return started;
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
});
