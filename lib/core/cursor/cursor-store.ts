import type { Stream } from '../events/event-schemas.js';

/** How a server answers the events endpoints: Keycloak >= 26.2 ("modern") or older ("legacy"). */
export type ApiMode = 'modern' | 'legacy';

/** `{realm}#{stream}`: one position per realm and stream. */
export type StreamKey = `${string}#${Stream}`;

/** Builds the key under which a realm's stream position is stored. */
export function streamKey(realm: string, stream: Stream): StreamKey {
  return `${realm}#${stream}`;
}

/**
 * Where one realm's stream has been read up to. Every event with `time < position.time` has been
 * enqueued; of the events with `time === position.time`, exactly those whose keys are in
 * `boundary` have been enqueued.
 */
export interface StreamPosition {
  /** Epoch milliseconds. */
  time: number;
  /** Keys (see `eventKey`) of the events at exactly `time` already enqueued. */
  boundary: string[];
  /** The API mode the server was found in when this position was written. */
  mode?: ApiMode;
  /** Epoch milliseconds of the commit that wrote this position. */
  updatedAt: number;
  /**
   * How its holder reads on from this position. A holder that stops after enqueueing the page it
   * read from here, before committing it, leaves this behind: the next holder reads that page
   * again the same way, so it holds the same events and gets the same batch id. Absent in
   * positions written before it existed.
   */
  read?: ReadParameters;
  /** How many chunks of events have been committed to this stream: each chunk's number. */
  seq?: number;
  /** Where the look-back (the second pass, for events committed late) has read up to. */
  lookback?: LookbackPosition;
}

/**
 * The look-back's own cursor, trailing the stream's: every event older than `time` (and those
 * at `time` with keys in `boundary`) has been read again and delivered if it was late.
 * Chunks numbered `seq` and after are still to be compared with what it reads.
 */
export interface LookbackPosition {
  time: number;
  boundary: string[];
  seq: number;
  /** The API mode its boundary keys were made in (hashes before Keycloak 26.2, ids after). */
  mode?: ApiMode;
  /** Late events the look-back has delivered in this stream so far, for `status`. */
  late?: number;
}

/** What decides which events a page read from a position holds, besides the position itself. */
export interface ReadParameters {
  /** Epoch ms of the newest event read (`now - settle` when the reads started). */
  windowEnd: number;
  pageSize: number;
}

/**
 * The right to advance the cursor. `fence` grows by one at every acquisition, so a commit made
 * with an older fence is refused even when the owner name is the same (a restarted process).
 */
export interface Lease {
  owner: string;
  fence: number;
  /** Epoch milliseconds after which another owner may take the lease. */
  leaseUntil: number;
}

/** What `acquire` hands the new lease holder: the lease and every stream's position. */
export interface AcquiredCursor {
  lease: Lease;
  positions: Partial<Record<StreamKey, StreamPosition>>;
}

/** What `read` shows without taking the lease: for `status` and dashboards. */
export interface CursorSnapshot {
  lease?: Lease;
  positions: Partial<Record<StreamKey, StreamPosition>>;
}

/**
 * The tenant's cursor: one record holding the lease and every realm's and stream's position.
 * Adapters (DynamoDB, local file) implement exactly these operations, each atomic.
 */
export interface CursorStore {
  /**
   * Takes the lease when nobody holds it, it has expired (`leaseUntil < now`), or `owner`
   * already holds it; increases the fence.
   * @throws LeaseHeldError when another owner holds an unexpired lease.
   */
  acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor>;

  /**
   * Moves one stream's position and extends the lease to `now + leaseMs`, only while
   * `lease.owner` and `lease.fence` still match the stored lease.
   * @returns the extended lease.
   * @throws LeaseLostError when the lease was taken over or released: the caller must stop at once.
   */
  commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease>;

  /** Gives the lease up, if it is still this one; never fails because it was already lost. */
  release(lease: Lease): Promise<void>;

  /** Reads the lease and positions without taking anything. */
  read(): Promise<CursorSnapshot>;
}
