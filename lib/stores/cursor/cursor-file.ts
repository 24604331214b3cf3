import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { streamSchema } from '../../core/events/event-schemas.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Lease, StreamKey, StreamPosition } from '../../core/cursor/cursor-store.js';
import { CursorError } from '../../core/cursor/errors.js';

const streamKeySchema = z.templateLiteral([z.string().min(1), '#', streamSchema]);

const positionSchema = z.object({
  time: z.number().int().nonnegative(),
  boundary: z.array(z.string().min(1)),
  mode: z.enum(['modern', 'legacy']).optional(),
  updatedAt: z.number().int().nonnegative(),
  read: z.object({ windowEnd: z.number().int(), pageSize: z.number().int().positive() }).optional(),
  seq: z.number().int().nonnegative().optional(),
  lookback: z
    .object({ time: z.number().int().nonnegative(), boundary: z.array(z.string().min(1)), seq: z.number().int().nonnegative(), mode: z.enum(['modern', 'legacy']).optional(), late: z.number().int().nonnegative().optional() })
    .optional(),
});

const leaseSchema = z.object({
  owner: z.string().min(1),
  fence: z.number().int().nonnegative(),
  leaseUntil: z.number().int(),
});

/**
 * The cursor file, `<stateDir>/<tenant>.cursor.json`: the local twin of the DynamoDB cursor item.
 * Checked on every read and before every write, so a hand-edited or damaged file is reported
 * with the field at fault instead of being reset (a reset would re-send or skip events).
 */
export const cursorFileSchema = z.object({
  version: z.literal(1),
  /** The last fence handed out: kept when a release removes the lease, so fences never repeat. */
  fence: z.number().int().nonnegative().optional(),
  lease: leaseSchema.optional(),
  positions: z.record(streamKeySchema, positionSchema),
});

/** The cursor file's content. */
export interface CursorFileState {
  version: 1;
  fence?: number;
  lease?: Lease;
  positions: Partial<Record<StreamKey, StreamPosition>>;
}

/** Reads and writes one cursor file; knows nothing of leases or locks. */
export class CursorFile {
  constructor(private readonly options: { path: string; pid: number }) {}

  /** The file's path. */
  get path(): string {
    return this.options.path;
  }

  /**
   * The file's state; an empty state when the file does not exist yet.
   * @throws CursorError naming the file and the field when it cannot be read or is not a valid cursor.
   */
  async read(): Promise<CursorFileState> {
    const text = this.readText();
    return text === undefined ? { version: 1, positions: {} } : this.parse(text);
  }

  /**
   * The file's exact text as it is on disk; undefined when the file does not exist. For a holder
   * that compares it with what it wrote last: only the lock holder writes this file, so any other
   * text means someone else deleted or rewrote it.
   * @throws CursorError when the file exists but cannot be read.
   */
  readText(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CursorError(`could not read the cursor file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** @throws CursorError naming the file and the field when `text` is not a valid cursor. */
  parse(text: string): CursorFileState {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CursorError(`the cursor file ${this.path} is corrupt: it is not valid JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
    const parsed = cursorFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new CursorError(`the cursor file ${this.path} is corrupt: ${describe(parsed.error)}`, { cause: parsed.error });
    }
    return parsed.data;
  }

  /**
   * Replaces the file's state atomically (see `writeFileAtomic`); returns the text written.
   * @throws CursorError naming the field when `state` would not read back (a NaN time, an empty owner).
   */
  async write(state: CursorFileState): Promise<string> {
    const parsed = cursorFileSchema.safeParse(state);
    if (!parsed.success) {
      throw new CursorError(`refusing to write an invalid cursor to ${this.path}: ${describe(parsed.error)}`, {
        cause: parsed.error,
      });
    }
    const text = JSON.stringify(parsed.data, null, 2) + '\n';
    try {
      writeFileAtomic(this.path, text, { pid: this.options.pid, mode: 0o600 });
    } catch (error) {
      throw new CursorError(`could not write the cursor file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    return text;
  }
}

/** One line per problem, each with its field path (`positions["a#user"].time`). */
function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length === 0 ? '(root)' : issue.path.map((part) => formatPathPart(part)).join('').replace(/^\./, '');
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

function formatPathPart(part: PropertyKey): string {
  if (typeof part === 'number') return `[${part}]`;
  const text = String(part);
  return /^[A-Za-z_$][\w$]*$/.test(text) ? `.${text}` : `[${JSON.stringify(text)}]`;
}
