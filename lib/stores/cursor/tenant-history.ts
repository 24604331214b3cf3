import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from './atomic-file.js';
import { CursorError } from '../../core/cursor/errors.js';

const historySchema = z.object({ version: z.literal(1), firstCommitAt: z.string().min(1) });

/**
 * `<stateDir>/<tenant>.history.json`: written beside the cursor when its first position is
 * committed, and never removed by the product. A cursor file that is gone (or holds no position)
 * while this file exists was lost, not never made: the next start must not quietly begin again at
 * MPAS_START_FROM. The look-back's records (`<tenant>.lookback/`) say the same for state
 * directories written before this file existed.
 */
export class LocalTenantHistory {
  readonly path: string;
  private readonly lookbackDir: string;
  private recorded = false;

  constructor(
    stateDir: string,
    tenant: string,
    private readonly pid: number,
  ) {
    this.path = join(stateDir, `${tenant}.history.json`);
    this.lookbackDir = join(stateDir, `${tenant}.lookback`);
  }

  /** What shows that the tenant committed positions here before, or undefined for a new tenant. */
  evidence(): string | undefined {
    if (existsSync(this.path)) return `${this.path} says a position was first committed at ${this.firstCommitAt() ?? 'an unknown time (the file is unreadable)'}`;
    if (hasEntries(this.lookbackDir)) return `the look-back's delivery records in ${this.lookbackDir} show earlier runs`;
    return undefined;
  }

  /** Writes the history once, at the first commit this store makes; an existing one is kept. */
  record(now: number): void {
    if (this.recorded) return;
    if (!existsSync(this.path)) {
      try {
        writeFileAtomic(this.path, JSON.stringify({ version: 1, firstCommitAt: new Date(now).toISOString() }) + '\n', { pid: this.pid, mode: 0o600 });
      } catch (error) {
        throw new CursorError(`could not write the tenant history ${this.path}: ${(error as Error).message}`, { cause: error });
      }
    }
    this.recorded = true;
  }

  private firstCommitAt(): string | undefined {
    try {
      const parsed = historySchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      return parsed.success ? parsed.data.firstCommitAt : undefined;
    } catch {
      return undefined;
    }
  }
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
