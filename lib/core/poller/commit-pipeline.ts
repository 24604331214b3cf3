import type { AcquiredCursor, CursorStore, Lease, StreamKey, StreamPosition } from '../cursor/cursor-store.js';
import { streamKey } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';
import type { EventBatch } from '../queue/event-batch.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { Clock } from '../time/clock.js';
import { recordExpiry } from './look-back.js';
import type { FirstPassRecord, LookbackSettings } from './look-back.js';
import type { PollObserver } from './poll-observer.js';

/** What the pipeline writes to and reports to. */
export interface CommitPipelineParts {
  store: CursorStore;
  queue: EventQueue;
  clock: Clock;
  leaseMs: number;
  /** Where the first pass's delivery records go; absent: none are written. */
  lookback?: LookbackSettings;
  observer: PollObserver;
}

/** One chunk of a stream, to be enqueued and then committed. */
export interface Handover {
  realm: string;
  stream: Stream;
  /** The chunk's queue messages; none when only the position moves. */
  batches: readonly EventBatch[];
  /** The stream's position once the chunk is in the queue. */
  position: StreamPosition;
  /** The first pass's delivery record of a young chunk: written beside the enqueue, before the commit. */
  record?: FirstPassRecord;
  /** The look-back's late events: reported as such once committed. */
  late?: boolean;
}

/** A chunk handed over: whether the queue holds it yet, whether its position is committed. */
interface InFlight {
  enqueued: Promise<void>;
  committed: Promise<void>;
}

/**
 * How many chunks may be handed over and not yet committed: the one whose commit is being
 * written, and the next one, prepared by the queue but released only after that commit.
 */
const MAX_IN_FLIGHT = 2;

/**
 * Enqueues a poll's chunks and commits their positions in the order they are handed over, so
 * that of the chunks not committed at most one ever left the process (reached SQS, or the SIEM
 * behind the local queue): a crash makes a successor read that one again, under the same batch
 * id, and nothing else.
 *
 * - A chunk leaves only once the chunk before it is committed (the queue's `after`), and never
 *   when that commit failed: nothing leaves after a failed enqueue, a failed commit or a lost lease.
 * - A position is committed only once its chunk is enqueued (and its delivery record written)
 *   and the chunk before it is committed: the cursor never passes an event the queue does not hold.
 * - A chunk is taken only once the chunk two before it is enqueued: the local queue resolves an
 *   enqueue once the SIEM took it, so one chunk is prepared while the one before is on its way,
 *   the walk reads the next page meanwhile, and no more is held in memory.
 * - Chunks are handed over one at a time: two waiting for room at once would both be released
 *   after the same commit, two chunks out and not committed.
 */
export class CommitPipeline {
  private heldLease: Lease;
  private readonly committedPositions: Partial<Record<StreamKey, StreamPosition>>;
  private committedEvents = 0;
  /** The chunks handed over last, oldest first, at most MAX_IN_FLIGHT; none once settled. */
  private inFlight: InFlight[] = [];
  /** A hand-over is waiting for room. */
  private admitting = false;

  constructor(
    private readonly parts: CommitPipelineParts,
    acquired: AcquiredCursor,
  ) {
    this.heldLease = acquired.lease;
    this.committedPositions = { ...acquired.positions };
  }

  /** The lease as the last commit renewed it. */
  get lease(): Lease {
    return this.heldLease;
  }

  /** How many events the committed chunks held. */
  get events(): number {
    return this.committedEvents;
  }

  /** Where a realm's stream was last committed (before this poll: as the lease found it). */
  position(realm: string, stream: Stream): StreamPosition | undefined {
    return this.committedPositions[streamKey(realm, stream)];
  }

  /**
   * Takes a chunk once there is room: starts its enqueue and its commit, which follows once due,
   * and returns. Rejects with the failure of an earlier chunk that it had to wait for, and
   * refuses a chunk handed over while the one before it still waits for room.
   */
  async handOver(handover: Handover): Promise<void> {
    if (this.admitting) {
      throw new Error(
        `a chunk of ${streamKey(handover.realm, handover.stream)} was handed over while the chunk before it still waited for room in the commit pipeline: hand chunks over one at a time`,
      );
    }
    this.admitting = true;
    try {
      await this.admit(handover);
    } finally {
      this.admitting = false;
    }
    // A lease that ran out by our clock may have been taken over: then read nothing more before
    // this commit says whether it is still ours (a successor would see our reads as duplicates).
    if (this.parts.clock.now() >= this.heldLease.leaseUntil) await this.settle();
  }

  /** Resolves once every chunk handed over is committed; rejects when one of them failed. */
  async settle(): Promise<void> {
    const last = this.inFlight.at(-1);
    this.inFlight = [];
    if (last) await last.committed;
  }

  private async admit(handover: Handover): Promise<void> {
    const previous = this.inFlight.at(-1);
    if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight[0]!.enqueued;
    const enqueued = handover.batches.length > 0 ? this.parts.queue.enqueue(handover.batches, previous ? { after: previous.committed } : undefined) : Promise.resolve();
    const recorded = this.writeRecord(handover);
    const committed = this.commitWhenDue(handover, enqueued, recorded, previous?.committed);
    // Observed here so a failure waiting for a later chunk or settle() is never an unhandled rejection.
    enqueued.catch(() => undefined);
    recorded?.catch(() => undefined);
    committed.catch(() => undefined);
    this.inFlight = [...this.inFlight, { enqueued, committed }].slice(-MAX_IN_FLIGHT);
  }

  /** Written beside the enqueue, before the commit: a committed young chunk always has its record. */
  private writeRecord({ realm, stream, record }: Handover): Promise<void> | undefined {
    const lookback = this.parts.lookback;
    if (!record || !lookback) return undefined;
    const stored = { ...record, stream: streamKey(realm, stream), fence: this.heldLease.fence };
    return lookback.records.put(stored, recordExpiry(this.parts.clock.now(), lookback.windowMs));
  }

  private async commitWhenDue(handover: Handover, enqueued: Promise<void>, recorded: Promise<void> | undefined, previous: Promise<void> | undefined): Promise<void> {
    await enqueued;
    if (recorded) await recorded;
    if (previous) await previous;
    const { realm, stream, position } = handover;
    const key = streamKey(realm, stream);
    const now = this.parts.clock.now();
    this.heldLease = await this.parts.store.commit({ lease: this.heldLease, key, position: { ...position, updatedAt: now }, now, leaseMs: this.parts.leaseMs });
    this.committedPositions[key] = position;
    const events = handover.batches.reduce((sum, batch) => sum + batch.events.length, 0);
    this.committedEvents += events;
    const { observer } = this.parts;
    if (handover.late && events > 0) observer.lateEvents?.(realm, stream, events);
    observer.committed?.(realm, stream, events, position);
  }
}
