import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/mpas-log-sync.js', import.meta.url));

/** Runs `node bin/mpas-log-sync.js <args> | head -n 1` in bash; the pipeline's status is the command's (pipefail). */
async function pipedIntoHead(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const quoted = [process.execPath, BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('bash', ['-c', `set -o pipefail; ${quoted} | head -n 1`], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('a command whose output is closed early', () => {
  // The demo's temporary state directory, left behind when it ends at the closed pipe, goes here.
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cli-closed-output-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('ends quietly with exit code 0 when piped into a reader that closes after one line', async () => {
    // demo writes a line per event for ten minutes (past the test's timeout): every write after
    // head has gone meets a closed pipe, and only ending there passes.
    const piped = await pipedIntoHead(['demo', '--duration', '600', '--rate', '5'], { TMPDIR: tmp });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^mpas-log-sync \S+ demo: the whole pipeline on this machine\n$/);
  });
});
