import { ConfigError } from '../config/config-error.js';
import { LeaseHeldError } from '../cursor/errors.js';
import { VERSION } from '../version.js';
import { backfillCommand } from './backfill-command.js';
import { catalogCommand } from './catalog-command.js';
import { checkCommand } from './check-command.js';
import { demoCommand } from './demo-command.js';
import { dlqCommand } from './dlq-command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { replayCommand } from './replay-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';
import { simulatorCommand } from './simulator-command.js';
import { statusCommand } from './status-command.js';
import { verifyCommand } from './verify-command.js';
import type { CliIo, Command } from './command.js';

const commands: Record<string, Command> = {
  run: runCommand,
  check: checkCommand,
  backfill: backfillCommand,
  replay: replayCommand,
  status: statusCommand,
  dlq: dlqCommand,
  demo: demoCommand,
  catalog: catalogCommand,
  simulator: simulatorCommand,
  report: reportCommand,
  verify: verifyCommand,
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`);
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
    io.out(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${usage()}`);
    return ExitCode.usage;
  }
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
  return {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    write: (text) => process.stdout.write(text),
    isTty: process.stdout.isTTY === true,
  };
}
