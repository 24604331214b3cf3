import { mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../../core/time/clock.js';
import { removeStrayTempFiles } from './atomic-file.js';
import { CursorFile } from './cursor-file.js';
import type { CursorFileState } from './cursor-file.js';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../core/cursor/cursor-store.js';
import { CursorError, CursorMissingError, LeaseHeldError, LeaseLostError } from '../../core/cursor/errors.js';
import { ProcessLock, isProcessAlive } from './process-lock.js';
import { LocalTenantHistory } from './tenant-history.js';

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
  /**
   * For the live cursor of `run`: keep the tenant's history (see `LocalTenantHistory`) and refuse
   * a first acquire that finds no position where the history shows earlier runs, unless
   * `startOver`, which is for exactly that case and refused when the cursor holds positions.
   * Absent: no history (backfill and replay cursors, tools).
   */
  history?: { startOver: boolean; onStartOver?: (evidence: string) => void };
  /**
   * For a process that polls until it stops (`run`, `replay`): the lock and the lease the first
   * `acquire` takes stay this store's until `close`, and `release` (which the poller calls after
   * every poll, to let the next Lambda invocation in) keeps them, so a second process started
   * meanwhile is refused instead of slipping in between two polls. Absent: `release` gives both up.
   */
  holdUntilClosed?: boolean;
}

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The cursor store of the local (on-prem) mode: `<stateDir>/<tenant>.cursor.json`, replaced
 * atomically at every change. One mechanism keeps every other writer out: the lock file
 * `<stateDir>/<tenant>.lock` (see `ProcessLock`), taken by the first `acquire` and held until
 * `release` or, with `holdUntilClosed`, `close`. Only its holder writes the cursor file, so the
 * holder keeps the exact text it wrote last, and before every write checks that the lock still
 * names it and the file is still that text: a lock or cursor file removed or edited under it is a
 * lost lease, and it stops without writing. The file carries the port's lease as in DynamoDB,
 * for `status` and for fencing: the fence grows at every acquisition (and survives a release), a
 * commit must match owner and fence, and a lease left unexpired without its lock (the lock file
 * removed by hand) still refuses another owner.
 */
export class FileCursorStore implements CursorStore {
  private readonly stateDir: string;
  private readonly file: CursorFile;
  private readonly lock: ProcessLock;
  private readonly exclusiveKey: string;
  private readonly history: LocalTenantHistory | undefined;
  private readonly historyOptions: FileCursorStoreOptions['history'];
  private readonly holdUntilClosed: boolean;
  /** The lease this store holds and the file's text as it last wrote it: anything else on disk is someone else's doing. */
  private held: { lease: Lease; text: string } | undefined;
  /** Set once this store found its cursor changed under it: its lock is then given up, the file left as found. */
  private lost = false;
  /** The last lease this store found lost, and what it found instead. */
  private lostBy: LeaseLostError | undefined;
  private startChecked = false;

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
    this.history = options.history ? new LocalTenantHistory(options.stateDir, options.tenant, pid) : undefined;
    this.historyOptions = options.history;
    this.holdUntilClosed = options.holdUntilClosed === true;
  }

  /**
   * Why the lease was lost, when an acquire or commit found it so: the poll only reports
   * `lease-lost`, and the operator needs what the store found (which file, deleted or rewritten,
   * what was committed).
   */
  get lostLease(): LeaseLostError | undefined {
    return this.lostBy;
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
        const held = this.held;
        // A holder taking its lease again (the local runner does at every poll): the lock and the
        // file must be as it left them, or someone removed or rewrote them under it.
        if (held && outcome !== 'already-held') throw this.lostError(held.lease, `the lock file ${this.lock.path} vanished while this process held it`);
        // Only the lock holder writes the cursor file, so a temp file left now is a crashed write's.
        if (outcome !== 'already-held') removeStrayTempFiles(this.file.path);
        const text = this.file.readText();
        if (held) this.checkUnchanged(held, text);
        const state = text === undefined ? emptyState() : this.file.parse(text);
        this.checkStart(state);
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
        this.held = { lease, text: await this.file.write({ ...state, fence: lease.fence, lease }) };
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
        throw this.lostError(request.lease, `the lock file ${this.lock.path} no longer names this process`);
      }
      const text = this.file.readText();
      const held = this.held;
      if (held && sameLease(held.lease, request.lease)) this.checkUnchanged(held, text);
      const state = text === undefined ? emptyState() : this.file.parse(text);
      const stored = state.lease;
      if (!stored || stored.owner !== request.lease.owner || stored.fence !== request.lease.fence) {
        this.lostBy = new LeaseLostError(request.lease, { found: stored ? `the cursor file ${this.file.path} names the lease of ${stored.owner} (fence ${stored.fence})` : `the cursor file ${this.file.path} holds no lease` });
        throw this.lostBy;
      }
      const extended: Lease = { ...stored, leaseUntil: request.now + request.leaseMs };
      this.held = { lease: extended, text: await this.file.write({ ...state, lease: extended, positions: { ...state.positions, [request.key]: request.position } }) };
      // After the position, so that a history never exists for a cursor that committed nothing.
      this.history?.record(request.now);
      return extended;
    });
  }

  /**
   * Removes the lease and the lock file, if the lease is still this one; otherwise does nothing.
   * With `holdUntilClosed`, keeps both: `close` gives them up.
   */
  release(lease: Lease): Promise<void> {
    if (this.holdUntilClosed) return Promise.resolve();
    return this.exclusive(() => this.giveUp(lease));
  }

  /** Gives up the lease this store holds and its lock, if it holds them: when the process stops. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.held) await this.giveUp(this.held.lease);
    });
  }

  /** Within `exclusive`: removes the lease, if it is still `lease`, and the lock. */
  private async giveUp(lease: Lease): Promise<void> {
    this.held = undefined;
    if (!(await this.lock.isHeld())) return;
    if (this.lost) {
      // The file is left as whoever changed it made it; the lock was ours alone.
      this.lost = false;
      await this.lock.release();
      return;
    }
    const state = await this.file.read();
    if (state.lease?.owner !== lease.owner || state.lease.fence !== lease.fence) return;
    const released: CursorFileState = { version: 1, fence: state.lease.fence, positions: state.positions };
    await this.file.write(released);
    await this.lock.release();
  }

  /** Reads the lease and positions without taking the lock: the file is only ever replaced whole. */
  async read(): Promise<CursorSnapshot> {
    const state = await this.file.read();
    return state.lease ? { lease: state.lease, positions: state.positions } : { positions: state.positions };
  }

  /**
   * Throws a lost lease when the file is not the text this store wrote last: deleted, replaced
   * by something unreadable, or rewritten (another lease, other positions).
   */
  private checkUnchanged(held: { lease: Lease; text: string }, text: string | undefined): void {
    if (text === held.text) return;
    const path = this.file.path;
    const mine = this.file.parse(held.text);
    const restart = `; once you have checked why, restore the file, or start over from where this process was: MPAS_START_FROM=${earliestTime(mine.positions)} mpas-log-sync run --start-over`;
    if (text === undefined) throw this.lostError(held.lease, `the cursor file ${path} was deleted while this process held its lease${committedText(mine.positions)}${restart}`);
    let found: CursorFileState;
    try {
      found = this.file.parse(text);
    } catch (error) {
      throw this.lostError(held.lease, `the cursor file ${path} was replaced by one that is not a valid cursor (${(error as Error).message})${committedText(mine.positions)}${restart}`);
    }
    const changed = changedStreams(mine.positions, found.positions);
    const what = !found.lease
      ? 'it holds no lease'
      : !sameLease(found.lease, held.lease)
        ? `it names the lease of ${found.lease.owner} (fence ${found.lease.fence})`
        : changed.length > 0
          ? `the positions of ${changed.join(', ')} differ from those this process committed`
          : 'its text differs from what this process wrote';
    throw this.lostError(held.lease, `the cursor file ${path} was rewritten while this process held its lease: ${what}${committedText(mine.positions)}; the next start reads on from the file as it is now`);
  }

  private lostError(lease: Lease, found: string): LeaseLostError {
    this.lost = true;
    this.lostBy = new LeaseLostError(lease, { found });
    return this.lostBy;
  }

  /** The first acquire of a store keeping history: no silent start over a lost cursor, and no start over a kept one. */
  private checkStart(state: CursorFileState): void {
    if (!this.history || !this.historyOptions || this.startChecked) return;
    const { startOver, onStartOver } = this.historyOptions;
    const hasPositions = Object.keys(state.positions).length > 0;
    if (hasPositions && startOver) {
      throw new CursorError(
        `--start-over refused: the cursor file ${this.file.path} holds positions (${Object.keys(state.positions).join(', ')}), so there is nothing to start over from; ` +
          'run without --start-over to read on from them (replay or backfill deliver a past range again), or move the file away first to start over on purpose',
      );
    }
    if (!hasPositions) {
      const evidence = this.history.evidence();
      if (evidence !== undefined && !startOver) {
        throw new CursorMissingError(`file ${this.file.path}`, evidence, 'run `mpas-log-sync run --start-over` once (each stream starts at MPAS_START_FROM, and the log says so)');
      }
      if (evidence !== undefined) onStartOver?.(evidence);
    }
    this.startChecked = true;
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

function emptyState(): CursorFileState {
  return { version: 1, positions: {} };
}

function sameLease(a: Lease, b: Lease): boolean {
  return a.owner === b.owner && a.fence === b.fence;
}

function changedStreams(mine: CursorFileState['positions'], found: CursorFileState['positions']): string[] {
  const keys = new Set([...Object.keys(mine), ...Object.keys(found)] as StreamKey[]);
  return [...keys].filter((key) => JSON.stringify(mine[key]) !== JSON.stringify(found[key]));
}

/** "; this process had committed acme#user up to 2026-...Z, ...": what an operator needs to go on without a gap. */
function committedText(positions: CursorFileState['positions']): string {
  const entries = Object.entries(positions);
  if (entries.length === 0) return '; this process had committed no position yet';
  return `; this process had committed ${entries.map(([key, position]) => `${key} up to ${new Date(position!.time).toISOString()}`).join(', ')}`;
}

function earliestTime(positions: CursorFileState['positions']): string {
  const times = Object.values(positions).map((position) => position!.time);
  return times.length === 0 ? '<the time it started>' : new Date(Math.min(...times)).toISOString();
}

/** The last queued operation per cursor file, shared by every store in this process. */
const operationTails = new Map<string, Promise<void>>();
