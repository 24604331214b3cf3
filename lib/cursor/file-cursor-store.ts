import { mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../time/clock.js';
import { removeStrayTempFiles } from './atomic-file.js';
import { CursorFile } from './cursor-file.js';
import type { CursorFileState } from './cursor-file.js';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from './cursor-store.js';
import { CursorError, LeaseHeldError, LeaseLostError } from './errors.js';
import { ProcessLock, isProcessAlive } from './process-lock.js';

/** Options of a `FileCursorStore`; `hostname`, `pid`, `isProcessAlive` and `clock` are for tests. */
export interface FileCursorStoreOptions {
  /** Directory of the state files; created (mode 0700) when missing. */
  stateDir: string;
  /** The tenant; names the files, so it must be a plain file-name part. */
  tenant: string;
  /** @default os.hostname() */
  hostname?: string;
  /** @default process.pid */
  pid?: number;
  /** @default `process.kill(pid, 0)` semantics: ESRCH is dead, EPERM is alive */
  isProcessAlive?: (pid: number) => boolean;
  /** Only for the lock file's `startedAt`. @default systemClock */
  clock?: Clock;
}

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The cursor store of the local (on-prem) mode: `<stateDir>/<tenant>.cursor.json`, replaced
 * atomically at every change, guarded by the process lock `<stateDir>/<tenant>.lock` so that two
 * local processes never both run. Inside the file the port's lease semantics hold as in DynamoDB:
 * the fence grows at every acquisition (and survives a release), a commit must match owner and
 * fence, a release gives up the lease and the lock.
 */
export class FileCursorStore implements CursorStore {
  private readonly stateDir: string;
  private readonly file: CursorFile;
  private readonly lock: ProcessLock;
  private readonly exclusiveKey: string;

  constructor(options: FileCursorStoreOptions) {
    if (!TENANT_PATTERN.test(options.tenant)) {
      throw new CursorError(
        `tenant ${JSON.stringify(options.tenant)} cannot name a state file: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
      );
    }
    if (options.stateDir.length === 0) throw new CursorError('stateDir is empty: give the directory of the cursor files');
    const pid = options.pid ?? process.pid;
    this.stateDir = options.stateDir;
    this.exclusiveKey = `${pid}:${resolve(options.stateDir, options.tenant)}`;
    this.file = new CursorFile({ path: join(options.stateDir, `${options.tenant}.cursor.json`), pid });
    this.lock = new ProcessLock({
      path: join(options.stateDir, `${options.tenant}.lock`),
      pid,
      hostname: options.hostname ?? osHostname(),
      isProcessAlive: options.isProcessAlive ?? isProcessAlive,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** The cursor file's path (for status output and operators). */
  get cursorPath(): string {
    return this.file.path;
  }

  /** The lock file's path. */
  get lockPath(): string {
    return this.lock.path;
  }

  /**
   * Takes the process lock, then the lease.
   * @throws LeaseHeldError when another process holds the lock, or another owner an unexpired lease.
   */
  acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor> {
    return this.exclusive(async () => {
      await this.ensureStateDir();
      const outcome = await this.lock.acquire();
      try {
        // Only the lock holder writes the cursor file, so a temp file left now is a crashed write's.
        if (outcome !== 'already-held') removeStrayTempFiles(this.file.path);
        const state = await this.file.read();
        const current = state.lease;
        // A lock taken over was a dead process's, and only the lock holder writes this file: an
        // unexpired lease in it died with that process (a SIGKILL gives no chance to release), so
        // waiting out its leaseMs would only delay the restart. The fence still grows below.
        const leftByDeadHolder = outcome === 'taken-over';
        if (current && current.owner !== request.owner && current.leaseUntil >= request.now && !leftByDeadHolder) {
          throw new LeaseHeldError({ owner: current.owner, leaseUntil: current.leaseUntil });
        }
        const lease: Lease = {
          owner: request.owner,
          fence: Math.max(state.fence ?? 0, current?.fence ?? 0) + 1,
          leaseUntil: request.now + request.leaseMs,
        };
        await this.file.write({ ...state, fence: lease.fence, lease });
        return { lease, positions: state.positions };
      } catch (error) {
        // A lock taken for a lease we could not get would only block the next starter. If giving
        // it back fails too, the first error is the one that explains what happened.
        if (outcome !== 'already-held') await this.lock.release().catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Moves one stream's position and extends the lease.
   * @throws LeaseLostError when the lock no longer names this process or owner and fence no longer match.
   */
  commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    return this.exclusive(async () => {
      if (!(await this.lock.isHeld())) {
        throw new LeaseLostError(request.lease, {
          cause: new CursorError(`the lock file ${this.lock.path} no longer names this process`),
        });
      }
      const state = await this.file.read();
      const stored = state.lease;
      if (!stored || stored.owner !== request.lease.owner || stored.fence !== request.lease.fence) {
        throw new LeaseLostError(request.lease);
      }
      const extended: Lease = { ...stored, leaseUntil: request.now + request.leaseMs };
      await this.file.write({ ...state, lease: extended, positions: { ...state.positions, [request.key]: request.position } });
      return extended;
    });
  }

  /** Removes the lease and the lock file, if the lease is still this one; otherwise does nothing. */
  release(lease: Lease): Promise<void> {
    return this.exclusive(async () => {
      if (!(await this.lock.isHeld())) return;
      const state = await this.file.read();
      if (state.lease?.owner !== lease.owner || state.lease.fence !== lease.fence) return;
      const released: CursorFileState = { version: 1, fence: state.lease.fence, positions: state.positions };
      await this.file.write(released);
      await this.lock.release();
    });
  }

  /** Reads the lease and positions without taking the lock: the file is only ever replaced whole. */
  async read(): Promise<CursorSnapshot> {
    const state = await this.file.read();
    return state.lease ? { lease: state.lease, positions: state.positions } : { positions: state.positions };
  }

  private async ensureStateDir(): Promise<void> {
    try {
      await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new CursorError(`stateDir ${this.stateDir} could not be created: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Runs read-modify-write operations on this cursor file one at a time within this process; the
   * process lock already keeps other processes out. Keyed by file and pid, so two stores of one
   * process on one file queue too, while stores given other pids (tests) race as processes would.
   */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const key = this.exclusiveKey;
    const previous = operationTails.get(key) ?? Promise.resolve();
    const result = previous.then(operation);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    operationTails.set(key, tail);
    void tail.then(() => {
      if (operationTails.get(key) === tail) operationTails.delete(key);
    });
    return result;
  }
}

/** The last queued operation per cursor file, shared by every store in this process. */
const operationTails = new Map<string, Promise<void>>();
