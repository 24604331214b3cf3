/** Exit codes scripts can rely on. */
export const ExitCode = {
  ok: 0,
  /** Something could not be done: events not delivered, a check failed, the lock is held. */
  failure: 1,
  /** The command line or the configuration is wrong; nothing was attempted. */
  usage: 2,
} as const;

/** A wrong command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
