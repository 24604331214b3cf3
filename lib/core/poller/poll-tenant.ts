import type { ApiMode, CursorStore, Lease, ReadParameters, StreamKey, StreamPosition } from '../cursor/cursor-store.js';
import { streamKey } from '../cursor/cursor-store.js';
import { LeaseHeldError, LeaseLostError } from '../cursor/errors.js';
import { MpasError } from '../../sources/mpas/errors.js';
import type { Stream } from '../events/event-schemas.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { Clock } from '../time/clock.js';
import { batchForChunk } from './batches-for-chunk.js';
import type { EventSource } from './event-source.js';
import type { KeyedEvent } from './keyed-event.js';
import { walkLegacy } from './legacy-walk.js';
import { walkModern } from './modern-walk.js';
import { silentPollObserver } from './poll-observer.js';
import type { PollObserver } from './poll-observer.js';
import type { Walk, WalkContext } from './walk.js';
import { firstPassCommit, initialLookback, LookbackLedger, recordExpiry } from './look-back.js';
import type { FirstPassRecord, LookbackSettings } from './look-back.js';

/** Everything one poll of a tenant needs. */
export interface PollTenantOptions {
  tenant: string;
  /** This instance's name in the lease (Lambda request id, host and pid, ...). */
  owner: string;
  realms: readonly string[];
  streams: readonly Stream[];
  source: EventSource;
  store: CursorStore;
  queue: EventQueue;
  clock: Clock;
  settleMs: number;
  pageSize: number;
  leaseMs: number;
  /** Where a stream without a position starts: `now` (minus the settle window) or epoch ms. */
  startFrom: 'now' | number;
  /** Epoch ms after which no new page is started (the invocation's time budget). */
  deadline?: number;
  /** Epoch ms of the last event to read (a replay's end); `now - settle` when later or absent. */
  windowEnd?: number;
  /** Aborting stops the poll after the chunk in hand is enqueued and committed. */
  signal?: AbortSignal;
  /** The second pass for events Keycloak commits late; absent or a window of 0: none. */
  lookback?: LookbackSettings;
  observer?: PollObserver;
}

/** How a poll ended. */
export type PollOutcome =
  | { status: 'lease-busy'; holder: string }
  | { status: 'lease-lost'; events: number }
  | {
      /**
       * `complete`: every stream read up to `now - settle`; `failed`: every stream failed;
       * `partial`: some failed, the others were read up to `now - settle`; otherwise the budget
       * ran out or a stop was asked for (whatever failed is in `failures` then too).
       */
      status: 'complete' | 'partial' | 'failed' | 'budget-spent' | 'stopped';
      events: number;
      /** Streams that could not be read (MPAS errors); their positions did not move. */
      failures: Array<{ realm: string; stream: Stream; error: Error }>;
    };

const walks: Record<ApiMode, Walk> = { modern: walkModern, legacy: walkLegacy };

/** What a commit does besides enqueueing its chunk and moving the position. */
interface CommitExtras {
  /** The first pass's delivery record of a young chunk, written before the commit. */
  record?: FirstPassRecord;
  /** The look-back's late events: one queue batch each, so a batch id never depends on how they were chunked. */
  late?: boolean;
}

/** Hands a chunk over for enqueue + commit; resolves once the previous chunk's are done. */
type Commit = (realm: string, stream: Stream, chunk: KeyedEvent[], position: StreamPosition, extras?: CommitExtras) => Promise<void>;

// Chunks one stream may deliver before the next stream's turn: small enough to be fair, large
// enough that a legacy walk's offset searches are not repeated for every page.
const CHUNKS_PER_TURN = 10;

/**
 * One poll of a tenant (DESIGN.md, "Cursor, lease and delivery semantics"): take the lease,
 * read every realm's streams a page at a time in turn (so one busy stream cannot starve the
 * others), enqueue each page, then commit its position; loop until every stream reached
 * `now - settle`, the deadline passed, or a stop was asked for; release the lease.
 * A lost lease stops everything at once, with nothing more committed.
 */
export async function pollTenant(options: PollTenantOptions): Promise<PollOutcome> {
  const { store, clock, observer = silentPollObserver } = options;
  let lease: Lease;
  let positions: Partial<Record<StreamKey, StreamPosition>>;
  try {
    ({ lease, positions } = await store.acquire({ owner: options.owner, now: clock.now(), leaseMs: options.leaseMs }));
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    observer.leaseBusy?.(error.holder.owner);
    return { status: 'lease-busy', holder: error.holder.owner };
  }

  let events = 0;
  const failures: Array<{ realm: string; stream: Stream; error: Error }> = [];
  const stopRequested = (): boolean => stopAsked(options);

  const commitAfter = async (
    enqueued: Promise<void>,
    recorded: Promise<void> | undefined,
    previous: Promise<void> | undefined,
    realm: string,
    stream: Stream,
    chunk: KeyedEvent[],
    position: StreamPosition,
    late: boolean,
  ): Promise<void> => {
    await enqueued;
    if (recorded) await recorded;
    if (previous) await previous;
    const key = streamKey(realm, stream);
    const now = clock.now();
    lease = await store.commit({ lease, key, position: { ...position, updatedAt: now }, now, leaseMs: options.leaseMs });
    positions[key] = position;
    events += chunk.length;
    if (late && chunk.length > 0) observer.lateEvents?.(realm, stream, chunk.length);
    observer.committed?.(realm, stream, chunk.length, position);
  };

  // Pipelined two chunks deep. A chunk is enqueued once the chunk two before it was enqueued (the
  // local queue resolves an enqueue only after the SIEM took it), so the consumer prepares it while
  // the chunk before is still on its way; but it leaves the process only after that chunk's commit
  // (the queue's `after`). So a crash still leaves at most one chunk enqueued and not committed,
  // and nothing after a failed enqueue, a failed commit or a lost lease ever leaves. Meanwhile the
  // walk fetches the next page. Commits stay in order (each awaits the one before); an error is
  // rethrown by a later chunk, or by settle().
  const pending: Array<{ enqueued: Promise<void>; committed: Promise<void> }> = [];
  const settle = async (): Promise<void> => {
    const last = pending.at(-1);
    pending.length = 0;
    if (last) await last.committed;
  };
  const commit: Commit = async (realm, stream, chunk, position, extras = {}) => {
    const previous = pending.at(-1);
    if (pending.length > 1) await pending[0]!.enqueued;
    const after = previous ? { after: previous.committed } : undefined;
    const batches = extras.late ? chunk.map((item) => batchForChunk(options.tenant, realm, stream, [item])) : [batchForChunk(options.tenant, realm, stream, chunk)];
    const enqueued = chunk.length > 0 ? options.queue.enqueue(batches, after) : Promise.resolve();
    // Written beside the enqueue, before the commit: a committed young chunk always has its record.
    const recorded =
      extras.record && options.lookback
        ? options.lookback.records.put({ ...extras.record, stream: streamKey(realm, stream), fence: lease.fence }, recordExpiry(clock.now(), options.lookback.windowMs))
        : undefined;
    const committed = commitAfter(enqueued, recorded, previous?.committed, realm, stream, chunk, position, extras.late ?? false);
    // Observed here so a failure waiting for a later chunk or settle() is never an unhandled rejection.
    enqueued.catch(() => undefined);
    recorded?.catch(() => undefined);
    committed.catch(() => undefined);
    pending.push({ enqueued, committed });
    if (pending.length > 2) pending.shift();
    // A lease that ran out by our clock may have been taken over: then read nothing more before
    // this commit says whether it is still ours (a successor would see our reads as duplicates).
    if (clock.now() >= lease.leaseUntil) await settle();
  };

  // The API mode is asked once a poll per realm: a server upgraded in place changes walks.
  const probed = new Set<string>();
  try {
    let active = options.realms.flatMap((realm) => options.streams.map((stream) => ({ realm, stream })));
    while (active.length > 0 && !stopRequested()) {
      const stillActive: typeof active = [];
      for (const { realm, stream } of active) {
        if (stopRequested()) {
          stillActive.push({ realm, stream });
          continue;
        }
        try {
          const done = await pollStreamOnce(options, realm, stream, positions, commit, settle, probed);
          if (done) await lookBackOnce(options, realm, stream, positions, commit, settle);
          if (!done) stillActive.push({ realm, stream });
        } catch (error) {
          // A stop that lands during a read aborts it: that page was neither enqueued nor
          // committed, and what was read before it is (the turn settles before it throws).
          if (options.signal?.aborted && isAbortOf(error, options.signal)) {
            stillActive.push({ realm, stream });
            continue;
          }
          // One realm's MPAS trouble (403, outage) must not hold back the others.
          if (!(error instanceof MpasError)) throw error;
          failures.push({ realm, stream, error });
          observer.streamFailed?.(realm, stream, error);
        }
      }
      active = stillActive;
    }
    await settle();
    const status = pollStatus(options.realms.length * options.streams.length, failures.length, active.length, options.signal?.aborted ?? false);
    await store.release(lease);
    return { status, events, failures };
  } catch (error) {
    // Nothing may still be writing to the store when the lease is released (or lost).
    await settle().catch(() => undefined);
    if (error instanceof LeaseLostError) {
      observer.leaseLost?.();
      return { status: 'lease-lost', events };
    }
    await store.release(lease).catch(() => undefined);
    throw error;
  }
}

/**
 * One turn of a stream (the walk stops at a chunk boundary through `shouldStop`), so the
 * tenant loop can take the streams in turn. A stream without a position
 * gets its start committed first, so "now" is pinned once and not recomputed on every run.
 */
async function pollStreamOnce(
  options: PollTenantOptions,
  realm: string,
  stream: Stream,
  positions: Partial<Record<StreamKey, StreamPosition>>,
  commit: Commit,
  settle: () => Promise<void>,
  probed: Set<string>,
): Promise<boolean> {
  const { clock } = options;
  const mode = await options.source.apiMode(realm, { refresh: !probed.has(realm), ...(options.signal ? { signal: options.signal } : {}) });
  probed.add(realm);
  const read = readParameters(options);
  let position = positions[streamKey(realm, stream)];
  if (!position) {
    const now = clock.now();
    const time = options.startFrom === 'now' ? now - options.settleMs : options.startFrom;
    position = { time, boundary: [], mode, updatedAt: now, read };
    await commit(realm, stream, [], position);
  }
  // The newest position handed to `commit` (maybe not committed yet): the next one numbers on from it.
  let last = position;
  const commitFirstPass = async (chunk: KeyedEvent[], next: StreamPosition, reading: ReadParameters): Promise<void> => {
    const planned = firstPassCommit(last, chunk, next, reading, options.lookback?.windowMs ?? 0);
    last = planned.position;
    await commit(realm, stream, chunk, planned.position, planned.record ? { record: planned.record } : {});
  };
  let chunks = 0;
  // A position to commit again with this turn's reading before the first chunk read that way.
  let unpinned: StreamPosition | undefined;
  const stopping = (): boolean =>
    chunks >= CHUNKS_PER_TURN || stopAsked(options);
  const context = (parameters: ReadParameters, last: () => boolean): WalkContext => ({
    source: options.source,
    realm,
    stream,
    pageSize: parameters.pageSize,
    windowEnd: parameters.windowEnd,
    now: () => clock.now(),
    signal: options.signal,
    // Every position committed says how this turn reads on from it.
    deliver: async (chunk, next) => {
      chunks += 1;
      if (unpinned) {
        const pin = unpinned;
        unpinned = undefined;
        await commitFirstPass([], pin, read);
      }
      await commitFirstPass(chunk, { ...next, mode, read }, parameters);
    },
    shouldStop: last,
  });

  // The last chunk's enqueue + commit finishes before the turn ends, so `positions` is current;
  // its failure (a lost lease above all) wins over an MPAS error of the page read meanwhile.
  let done: boolean;
  try {
    if (!sameRead(position.read, read)) position = await readAgainAsRecorded(position);
    // The position keeps the mode it was written in: its boundary keys are of that mode.
    done = (await walks[mode](context(read, stopping), position)).done;
  } catch (error) {
    await settle();
    throw error;
  }
  await settle();
  return done;

  /**
   * The last holder may have enqueued the page it read from `from` and stopped before committing
   * it. That page is read again as it was read (a later window or another page size would give
   * other events, another batch id, and the SIEM would get them twice); its commit records this
   * turn's reading. When it holds nothing new, `from` is committed again with this turn's reading
   * before the first chunk read that way is enqueued (a stream with nothing new costs no write).
   */
  async function readAgainAsRecorded(from: StreamPosition): Promise<StreamPosition> {
    const chunksBefore = chunks;
    let reached = from;
    if (from.read) reached = (await walks[mode](context(from.read, () => chunks > chunksBefore || stopping()), from)).position;
    if (chunks === chunksBefore) unpinned = { ...reached, mode, updatedAt: clock.now(), read };
    return reached;
  }
}

/** How a poll of `streams` streams ended, `failed` of them failing and `unfinished` not read to the window's end. */
function pollStatus(streams: number, failed: number, unfinished: number, stopped: boolean): 'complete' | 'partial' | 'failed' | 'budget-spent' | 'stopped' {
  if (failed > 0 && failed === streams) return 'failed';
  if (unfinished > 0) return stopped ? 'stopped' : 'budget-spent';
  return failed > 0 ? 'partial' : 'complete';
}

function sameRead(a: ReadParameters | undefined, b: ReadParameters): boolean {
  return a !== undefined && a.windowEnd === b.windowEnd && a.pageSize === b.pageSize;
}

function isAbortOf(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

/** Whether a stop was asked for or the invocation's time budget is spent. */
function stopAsked(options: PollTenantOptions): boolean {
  return (options.signal?.aborted ?? false) || (options.deadline !== undefined && options.clock.now() >= options.deadline);
}

/** The first pass's reading of this turn: up to `now - settle` (or a replay's end), a page at a time. */
function readParameters(options: PollTenantOptions): ReadParameters {
  // A server whose clock is behind ours has not stamped our "now" yet: its own now counts.
  const now = Math.min(options.clock.now(), options.source.serverNow?.() ?? Number.POSITIVE_INFINITY);
  return {
    windowEnd: Math.min(now - options.settleMs, options.windowEnd ?? Number.POSITIVE_INFINITY),
    pageSize: options.pageSize,
  };
}

/**
 * The look-back of a stream whose first pass reached the window's end: reads again what the
 * first pass read while it was young, from where the look-back left off up to the look-back
 * window behind the window's end, and delivers the events the first pass did not see (the
 * delivery records say what it saw). Each event is so read at most twice, however often the
 * poller runs. Its position is committed with late events, and once at the end of the turn.
 */
async function lookBackOnce(
  options: PollTenantOptions,
  realm: string,
  stream: Stream,
  positions: Partial<Record<StreamKey, StreamPosition>>,
  commit: Commit,
  settle: () => Promise<void>,
): Promise<void> {
  const lookback = options.lookback;
  const key = streamKey(realm, stream);
  const main = positions[key];
  if (!lookback || lookback.windowMs <= 0 || !main?.mode) return;
  const mode = main.mode;
  const start = main.lookback ?? initialLookback(main);
  const end = Math.min(readParameters(options).windowEnd - lookback.windowMs, main.time - 1);
  if (start.time > end) return;
  const ledger = new LookbackLedger(start, await lookback.records.get(key, start.seq, main.seq ?? 0));
  let reached = start;
  let uncommitted = false;
  let lateSoFar = start.late ?? 0;
  const commitLookback = async (chunk: KeyedEvent[]): Promise<void> => {
    uncommitted = false;
    await commit(realm, stream, chunk, { ...(positions[key] ?? main), lookback: reached }, { late: true });
  };
  const context: WalkContext = {
    source: options.source,
    realm,
    stream,
    pageSize: options.pageSize,
    windowEnd: end,
    now: () => options.clock.now(),
    signal: options.signal,
    deliver: async (chunk, next) => {
      const late = ledger.late(chunk);
      lateSoFar += late.length;
      reached = ledger.next(next, mode, lateSoFar);
      if (late.length > 0) await commitLookback(late);
      else uncommitted = true;
    },
    shouldStop: () => stopAsked(options),
  };
  try {
    // The start keeps the mode its boundary was made in (see isCovered); the walk reads in today's.
    await walks[mode](context, { time: start.time, boundary: start.boundary, mode: start.mode ?? mode, updatedAt: main.updatedAt });
    if (uncommitted) await commitLookback([]);
  } finally {
    await settle();
  }
  await lookback.records.prune(key, reached.seq);
}
