import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, the working directory of every child process. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The Node flags of the command's shebang (`#!/usr/bin/env -S node <flags>`): a runner stands for
 * the command, so it runs with the same heap settings.
 */
export const COMMAND_NODE_FLAGS: readonly string[] = readFileSync(resolve(REPO_ROOT, 'bin', 'mpas-log-sync.js'), 'utf8')
  .split('\n', 1)[0]!
  .replace(/^#!\S*env -S node/, '')
  .split(' ')
  .filter((flag) => flag.startsWith('--'));

/** A TypeScript file run as its own Node process, with its output collected. */
export interface TsChild {
  process: ChildProcess;
  /** Resolves with stdout when the process exits with 0; rejects with stderr otherwise. */
  done: Promise<string>;
}

/**
 * Runs `bin/run-ts.js file args` with the command's Node flags and `env` added to this process's environment. Node options
 * for the child (`--cpu-prof`, which NODE_OPTIONS refuses) come from BENCH_CHILD_NODE_ARGS.
 */
export function runTs(file: string, args: readonly string[], env: Record<string, string>): TsChild {
  const nodeArgs = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg.length > 0);
  const child = spawn(process.execPath, [...COMMAND_NODE_FLAGS, ...nodeArgs, 'bin/run-ts.js', file, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<string>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${file} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
  return { process: child, done };
}

/** The last line of a child's output that is a JSON object. */
export function lastJsonLine<T>(output: string): T {
  const line = output.trim().split('\n').reverse().find((text) => text.startsWith('{'));
  if (!line) throw new Error(`no JSON line in the output: ${output.slice(-500)}`);
  return JSON.parse(line) as T;
}
