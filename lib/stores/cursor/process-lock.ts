import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { link, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { systemClock } from '../../core/time/clock.js';
import type { Clock } from '../../core/time/clock.js';
import { syncDirectory, tempPathFor, writeFileAtomic, writeSyncedNewFile } from './atomic-file.js';
import { CursorError, LeaseHeldError } from '../../core/cursor/errors.js';

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
  /** Set on the claim files of a takeover (see `replaceStale`), never by callers. */
  claimOf?: { rootPath: string; depth: number };
}

/** Bounds the retries when the lock file keeps changing under us (other starters racing). */
const MAX_ATTEMPTS = 20;

/**
 * A takeover whose claimant died is itself taken over through a claim on its claim (see
 * `replaceStale`); each level needs one more starter to have crashed mid-takeover, so a deep
 * chain means something is wrong that an operator should look at.
 */
const MAX_CLAIM_DEPTH = 3;

/** The infix of claim files: `<lock>.claim-<hash of the stale lock's text>`. */
const CLAIM_INFIX = '.claim-';

/**
 * The claim file of a takeover of the lock at `lockPath` whose file reads `staleText`. Named by
 * the stale file's content, not its inode (inode numbers are reused), so each stale lock has
 * exactly one claim name and a claim can never be mistaken for one on a later lock.
 */
export function claimPathFor(lockPath: string, staleText: string): string {
  const digest = createHash('sha256').update(staleText).digest('hex').slice(0, 16);
  return `${lockPath}${CLAIM_INFIX}${digest}`;
}

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
 * of a dead process on this host is stale and taken over, by exactly one starter too (see
 * `replaceStale`); a lock of another host cannot be checked and counts as held. It is the file
 * store's one guard (see `FileCursorStore`): Node has no OS lock that the kernel drops with its
 * process (`flock`, `fcntl`), so a dead holder is told by its pid instead.
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
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (await this.tryCreate()) {
        this.removeLeftoverClaims();
        return 'created';
      }
      const current = this.readCurrent();
      if (current === undefined) continue; // released between our attempt and the read: try again
      const { holder } = current;
      if (this.isMine(holder)) return 'already-held';
      if (holder.hostname !== this.options.hostname) {
        throw this.heldError(holder, 'on another host, so whether it still runs cannot be checked from here');
      }
      if (this.options.isProcessAlive(holder.pid)) throw this.heldError(holder, 'and that process is alive');
      if (await this.replaceStale(current)) {
        this.removeLeftoverClaims();
        return 'taken-over';
      }
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

  private holderText(): string {
    const holder: LockHolder = {
      pid: this.options.pid,
      hostname: this.options.hostname,
      startedAt: new Date(this.clock.now()).toISOString(),
    };
    return JSON.stringify(holder) + '\n';
  }

  private async tryCreate(): Promise<boolean> {
    const tempPath = tempPathFor(this.path, this.options.pid);
    try {
      writeSyncedNewFile(tempPath, this.holderText());
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

  /** Synchronous, as the cursor file's writes are (see atomic-file.ts): every commit checks the lock first. */
  private readCurrent(): { holder: LockHolder; text: string } | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CursorError(`could not read the lock file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const text = readFileSync(fd, 'utf8');
      return { holder: this.parse(text), text };
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
   * Replaces a stale lock with ours, or returns false when the lock changed meanwhile. Moving the
   * stale file aside and creating a fresh one is not enough: a rename or unlink is not
   * conditional, so a starter that judged the same file stale a moment later would move the
   * winner's fresh lock aside and let a third starter in beside it. Instead, the right to replace
   * this stale file is itself a lock, the claim file named after the file's content, taken with
   * the same exclusive `link`: of all the starters that judged it stale, one holds the claim; it
   * checks the lock still reads what it judged (nobody else may change a dead process's lock
   * without the claim) and renames its own lock over it, so the name never stands empty for
   * another starter to `link` into. A claim whose claimant died is stale like any lock, and is
   * taken over the same way, through a claim on the claim.
   */
  private async replaceStale(stale: { holder: LockHolder; text: string }): Promise<boolean> {
    const rootPath = this.options.claimOf?.rootPath ?? this.path;
    const depth = this.options.claimOf?.depth ?? 0;
    if (depth >= MAX_CLAIM_DEPTH) {
      throw new CursorError(
        `could not take over the stale lock file ${this.path}: ${MAX_CLAIM_DEPTH} takeovers of it in a row were abandoned; ` +
          `remove the ${basename(rootPath)}${CLAIM_INFIX}* files only once you have checked that no other process of this tenant runs`,
      );
    }
    const claim = new ProcessLock({ ...this.options, path: claimPathFor(this.path, stale.text), claimOf: { rootPath, depth: depth + 1 } });
    try {
      await claim.acquire();
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      throw new LeaseHeldError(
        { owner: error.holder.owner, detail: `it is taking over the lock file ${this.path} of pid ${stale.holder.pid}, which no longer runs` },
        { cause: error },
      );
    }
    try {
      if (this.readCurrent()?.text !== stale.text) return false;
      writeFileAtomic(this.path, this.holderText(), { pid: this.options.pid });
      return true;
    } finally {
      await claim.release();
    }
  }

  /**
   * Deletes the claim files of takeovers whose claimant died before it could delete its claim.
   * Safe once this process holds the tenant's lock: every claim names a stale lock that is no
   * longer there, so a live claimant still holding one finds the lock changed and gives up.
   */
  private removeLeftoverClaims(): void {
    if (this.options.claimOf) return;
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}${CLAIM_INFIX}`;
    let removed = false;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix)) continue;
      try {
        unlinkSync(join(dir, name));
        removed = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (removed) syncDirectory(dir);
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

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
