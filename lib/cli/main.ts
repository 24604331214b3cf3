import { ConfigError } from '../config/config-error.js';
import { LeaseHeldError } from '../core/cursor/errors.js';
import { VERSION } from '../version.js';
import { exitQuietlyWhenOutputCloses } from './closed-output.js';
import { ExitCode, UsageError } from './exit-codes.js';
import type { CliIo, Command } from './command.js';

/**
 * Each command is loaded when it is asked for: together they pull in the AWS SDK clients,
 * undici and every sink, which would cost every start (a `check`, a `--help`) about 0.35 s
 * of loading it does not use.
 */
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  check: async () => (await import('./check-command.js')).checkCommand,
  backfill: async () => (await import('./backfill-command.js')).backfillCommand,
  replay: async () => (await import('./replay-command.js')).replayCommand,
  status: async () => (await import('./status-command.js')).statusCommand,
  dlq: async () => (await import('./dlq-command.js')).dlqCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  catalog: async () => (await import('./catalog-command.js')).catalogCommand,
  simulator: async () => (await import('./simulator-command.js')).simulatorCommand,
  receiver: async () => (await import('./receiver-command.js')).receiverCommand,
  report: async () => (await import('./report-command.js')).reportCommand,
  verify: async () => (await import('./verify-command.js')).verifyCommand,
};

async function usage(): Promise<string> {
  const loaded = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, await load()] as const));
  const lines = loaded.map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`);
  return [
    `mpas-log-sync ${VERSION}: delivers the MPAS (Keycloak) audit trail, redacted, to a SIEM`,
    '',
    'usage: mpas-log-sync <command> [options]   (mpas-log-sync <command> --help for its options)',
    '',
    'commands:',
    ...lines,
  ].join('\n');
}

/**
 * The command line. Returns the exit code: 0 ok, 1 failure, 2 bad usage or configuration.
 * `env` is passed in (not read here) so every setting enters through lib/config.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return ExitCode.ok;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.err(`unknown command "${name}"\n\n${await usage()}`);
    return ExitCode.usage;
  }
  const command = await load();
  try {
    return await command.run(rest, env, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${command.usage}`);
      return ExitCode.usage;
    }
    if (error instanceof ConfigError) {
      io.err(`configuration problem:\n${error.message}`);
      return ExitCode.usage;
    }
    if (error instanceof LeaseHeldError) {
      io.err(`refusing to start: ${error.message}`);
      return ExitCode.failure;
    }
    io.err(`mpas-log-sync ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.failure;
  }
}

function defaultIo(): CliIo {
  exitQuietlyWhenOutputCloses();
  return {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    write: (text) => process.stdout.write(text),
    isTty: process.stdout.isTTY === true,
    ...(process.stderr.isTTY ? { errTerminal: (text: string) => process.stderr.write(text) } : {}),
  };
}
