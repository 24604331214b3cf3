import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The command line's entry point, run as users run it. */
const BIN = fileURLToPath(new URL('../../bin/mpas-log-sync.js', import.meta.url));

/** How a child process ended. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `node bin/mpas-log-sync.js ...` child. */
export interface CliProcess {
  readonly pid: number;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once it exited (never rejects). */
  readonly exited: Promise<CliExit>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/**
 * Starts the real executable with only the given environment (plus PATH and HOME, so node and
 * tsx find what they need), so no setting of the test runner's own environment leaks in.
 */
export function startCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${BIN}`);
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliExit>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    output: () => ({ stdout, stderr }),
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

/** Runs the executable to its end. */
export async function runCli(args: readonly string[], env: Record<string, string>): Promise<CliExit> {
  return startCli(args, env).exited;
}

/** SIGKILLs every child still running and waits for each to go (for afterEach). */
export async function killAllCli(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
