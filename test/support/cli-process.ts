import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import type { HealthReport } from '../../lib/local/health-tracker.js';
import type { MpasSimulator } from '../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver, SiemReceiverOptions } from '../../devtools/siem-receiver/siem-receiver.js';
import { startSimulatorForSync } from './simulator-client.js';

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

/** The JSON lines of a command's output (the log of `run`, `--json` of the others), skipping any plain line. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
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

/**
 * Polls `probe` until it returns a value and returns that value: the process under test answers on
 * its own time, so a test waits on what it shows, never for a fixed time.
 */
export async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The URL that `run --health-port` logged it listens on, once it has (the port is picked by the OS). */
export function healthUrl(child: CliProcess): string | undefined {
  for (const line of child.output().stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { message: string; url?: string };
    if (entry.message === 'health endpoint listening') return entry.url;
  }
  return undefined;
}

/** One answer of the health endpoint: 200 or 503, and the report. */
export async function fetchHealth(url: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

/** Where a local `run` reads from and writes to. */
export interface LocalRunSettings {
  /** The MPAS simulator's URL; its realm `acme` is read as the user `sync`. */
  mpasUrl: string;
  password: string;
  /** MPAS_START_FROM, epoch milliseconds. */
  startFrom: number;
  stateDir: string;
  /** The SIEM receiver's ingest URL, sent JSON arrays; without it the SIEMs come from elsewhere (a config file's routes). */
  siemUrl?: string;
}

/** The environment of a `run` (or `check`, `dlq`) of the simulator's realm `acme`; `extra` adds or overrides settings. */
export function localRunEnv(settings: LocalRunSettings, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MPAS_BASE_URL: settings.mpasUrl,
    MPAS_REALMS: 'acme',
    MPAS_AUTH_REALM: 'master',
    MPAS_USERNAME: 'sync',
    MPAS_PASSWORD: settings.password,
    MPAS_START_FROM: new Date(settings.startFrom).toISOString(),
    ...(settings.siemUrl === undefined ? {} : { SIEM_URL: settings.siemUrl, SIEM_BATCH: 'array' }),
    STATE_DIR: settings.stateDir,
    ...extra,
  };
}

/** What each test of a local run gets afresh: the simulator (user `sync`), a SIEM receiver and an empty state directory. */
export interface LocalRunRig {
  readonly simulator: MpasSimulator;
  readonly receiver: SiemReceiver;
  readonly stateDir: string;
}

/**
 * Starts a simulator, a receiver and a state directory before each test of the calling describe
 * block and, after it, kills the CLI processes still running (they use all three), then closes
 * and removes them. Read the fields inside tests and hooks only: they are set by beforeEach.
 */
export function useLocalRunRig(options: { password: string; tmpPrefix: string; receiver?: SiemReceiverOptions }): LocalRunRig {
  let current: { simulator: MpasSimulator; receiver: SiemReceiver; stateDir: string } | undefined;
  const started = (): NonNullable<typeof current> => {
    if (!current) throw new Error('the local run rig is read outside a test (it is started by beforeEach)');
    return current;
  };
  beforeEach(async () => {
    const simulator = await startSimulatorForSync(options.password);
    const receiver = await startSiemReceiver(options.receiver).catch(async (error: unknown) => {
      await simulator.close();
      throw error;
    });
    current = { simulator, receiver, stateDir: await mkdtemp(join(tmpdir(), options.tmpPrefix)) };
  });
  afterEach(async () => {
    await killAllCli();
    if (!current) return;
    const { simulator, receiver, stateDir } = current;
    current = undefined;
    await receiver.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  return {
    get simulator() {
      return started().simulator;
    },
    get receiver() {
      return started().receiver;
    },
    get stateDir() {
      return started().stateDir;
    },
  };
}
