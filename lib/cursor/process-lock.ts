import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { systemClock } from '../time/clock.js';
import type { Clock } from '../time/clock.js';
import { syncDirectory, tempPathFor, writeSyncedNewFile } from './atomic-file.js';
import { CursorError, LeaseHeldError } from './errors.js';

/** What a lock file holds: who took it and when. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO-8601 time the lock was taken. */
  startedAt: string;
}

const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string().min(1),
  startedAt: z.string().min(1),
});

/** How `acquire` got the lock. */
export type LockOutcome = 'created' | 'taken-over' | 'already-held';

/** Options of a `ProcessLock`; the process identity and liveness check are injectable for tests. */
export interface ProcessLockOptions {
  /** The lock file. */
  path: string;
  pid: number;
  hostname: string;
  isProcessAlive: (pid: number) => boolean;
  /** For `startedAt`. @default systemClock */
  clock?: Clock;
}

/** Bounds the retries when the lock file keeps changing under us (other starters racing). */
const MAX_ATTEMPTS = 20;

/**
 * `process.kill(pid, 0)` semantics: sends nothing, only asks. ESRCH means no such process;
 * EPERM means it exists but belongs to someone else, so it is alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true;
    throw error;
  }
}

/**
 * A lock file that keeps two local processes from running for the same tenant. The file appears
 * whole or not at all: it is written to a temporary file and hard-linked into place, and `link`,
 * like `open(path, 'wx')`, fails when the name exists, so exactly one starter creates it. A lock
 * of a dead process on this host is stale and taken over; a lock of another host cannot be
 * checked and counts as held.
 */
export class ProcessLock {
  private readonly clock: Clock;

  constructor(private readonly options: ProcessLockOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** The lock file's path. */
  get path(): string {
    return this.options.path;
  }

  /**
   * Takes the lock, or confirms this process already holds it.
   * @throws LeaseHeldError when a live process on this host, or any process on another host, holds it.
   * @throws CursorError when the lock file is unreadable or cannot be written.
   */
  async acquire(): Promise<LockOutcome> {
    let tookOver = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (await this.tryCreate()) return tookOver ? 'taken-over' : 'created';
      const current = this.readCurrent();
      if (current === undefined) continue; // released between our attempt and the read: try again
      const { holder } = current;
      if (this.isMine(holder)) return 'already-held';
      if (holder.hostname !== this.options.hostname) {
        throw this.heldError(holder, 'on another host, so whether it still runs cannot be checked from here');
      }
      if (this.options.isProcessAlive(holder.pid)) throw this.heldError(holder, 'and that process is alive');
      await this.breakStale(current.identity);
      tookOver = true;
    }
    throw new CursorError(`could not take the lock file ${this.path}: it changed during each of ${MAX_ATTEMPTS} attempts`);
  }

  /** True when the lock file exists and names this process. */
  async isHeld(): Promise<boolean> {
    const current = this.readCurrent();
    return current !== undefined && this.isMine(current.holder);
  }

  /** Removes the lock file if it names this process; leaves anyone else's alone. */
  async release(): Promise<void> {
    const current = this.readCurrent();
    if (current === undefined || !this.isMine(current.holder)) return;
    // Nobody else touches a lock whose process is alive, so it is still ours between read and unlink.
    await unlink(this.path).catch(ignoreMissing);
    syncDirectory(dirname(this.path));
  }

  private isMine(holder: LockHolder): boolean {
    // Same pid on the same host is this process or a dead predecessor that had our pid: ours either way.
    return holder.pid === this.options.pid && holder.hostname === this.options.hostname;
  }

  private async tryCreate(): Promise<boolean> {
    const holder: LockHolder = {
      pid: this.options.pid,
      hostname: this.options.hostname,
      startedAt: new Date(this.clock.now()).toISOString(),
    };
    const tempPath = tempPathFor(this.path, this.options.pid);
    try {
      writeSyncedNewFile(tempPath, JSON.stringify(holder) + '\n');
      await link(tempPath, this.path);
      syncDirectory(dirname(this.path));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new CursorError(`could not create the lock file ${this.path}: ${(error as Error).message}`, { cause: error });
    } finally {
      await unlink(tempPath).catch(ignoreMissing);
    }
  }

  /**
   * Reads holder and inode from one open file, so both describe the same file. Synchronous, as
   * the cursor file's writes are (see atomic-file.ts): every commit checks the lock first.
   */
  private readCurrent(): { holder: LockHolder; identity: FileIdentity } | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CursorError(`could not read the lock file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const stats = fstatSync(fd);
      const text = readFileSync(fd, 'utf8');
      return { holder: this.parse(text), identity: { dev: stats.dev, ino: stats.ino } };
    } finally {
      closeSync(fd);
    }
  }

  private parse(text: string): LockHolder {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.unreadableError('it is not valid JSON', error);
    }
    const parsed = lockHolderSchema.safeParse(json);
    if (!parsed.success) throw this.unreadableError(z.prettifyError(parsed.error).replace(/\n\s*/g, ' '), parsed.error);
    return parsed.data;
  }

  /**
   * Moves a stale lock out of the way. The rename is not conditional, so a racing starter may
   * already have replaced the stale file with its own fresh lock by the time we rename:
   *
   *   A reads stale L(ino 1)   B reads stale L(ino 1)
   *   A renames L away, unlinks it, links its own L(ino 2)
   *                            B renames L(ino 2) away  <- not the file B judged stale
   *
   * so we compare the inode of what we moved with the one we judged, and put a fresh lock back
   * (with `link`, which refuses to overwrite) before trying again.
   */
  private async breakStale(stale: FileIdentity): Promise<void> {
    const aside = tempPathFor(this.path, this.options.pid);
    try {
      await rename(this.path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another starter removed it first
      throw new CursorError(`could not move the stale lock file ${this.path} aside: ${(error as Error).message}`, { cause: error });
    }
    const moved = await stat(aside);
    if (moved.dev !== stale.dev || moved.ino !== stale.ino) {
      // If a third starter has created a lock meanwhile, the one we moved cannot come back; its
      // owner finds out at its next `isHeld` check (every commit makes one) and stops.
      await link(aside, this.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    await unlink(aside);
    syncDirectory(dirname(this.path));
  }

  private heldError(holder: LockHolder, why: string): LeaseHeldError {
    return new LeaseHeldError({
      owner: `pid ${holder.pid} on ${holder.hostname}`,
      detail:
        `its lock file ${this.path} was taken at ${holder.startedAt}, ${why}; ` +
        `remove that file only once you have checked that this process no longer runs`,
    });
  }

  private unreadableError(problem: string, cause: unknown): CursorError {
    return new CursorError(
      `the lock file ${this.path} is unreadable (${problem}); remove it only once you have checked that no other process of this tenant runs`,
      { cause },
    );
  }
}

interface FileIdentity {
  dev: number;
  ino: number;
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
