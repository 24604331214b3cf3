/** Where a command writes: injected so tests can capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Writes to stdout without a line break (a progress bar redrawn with `\r`); absent: lines only. */
  write?(text: string): void;
  /** Whether stdout is a terminal (progress bars, colours) or a pipe (plain lines). */
  isTty: boolean;
  /** Writes to stderr without a line break; present only when stderr is a terminal (run's catch-up bar). */
  errTerminal?(text: string): void;
}

/** One sub-command of `mpas-log-sync`. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  /** Runs the command; returns the exit code. Throws UsageError or ConfigError for exit code 2. */
  run(args: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number>;
}
