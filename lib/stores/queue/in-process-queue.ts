import { realSleep } from '../../core/time/sleep.js';
import type { Sleep } from '../../core/time/sleep.js';
import type { EventBatch } from '../../core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../core/queue/event-queue.js';

const RELEASED: Promise<void> = Promise.resolve();

/** One batch handed to the consumer, to be settled exactly once by one of its three methods. */
export interface QueuedBatch {
  readonly batch: EventBatch;
  /**
   * Resolves once the batch may leave the process (its enqueue's `after`); rejects when it never
   * may. The consumer prepares the batch meanwhile and sends nothing of it before.
   */
  readonly released: Promise<unknown>;
  /** Delivered: counts toward resolving the `enqueue` call that brought it. */
  ack(): void;
  /** Failed for good: rejects the `enqueue` call that brought it with `error`. */
  fail(error: Error): void;
  /** Failed for now (a transient SIEM error): hand it out again after `delayMs`. */
  retryLater(delayMs: number): void;
}

/** Counters of an `InProcessQueue`. */
export interface InProcessQueueStats {
  /** Admitted, waiting for the consumer. */
  queued: number;
  /** Handed out, not settled yet. */
  inFlight: number;
  /** Waiting out a `retryLater` delay. */
  retrying: number;
  /** Enqueued but not admitted: the queue was full. */
  waiting: number;
  acked: number;
  failed: number;
}

/** Options of an `InProcessQueue`. */
export interface InProcessQueueOptions {
  /** How many batches may be queued, in flight or retrying at once; `enqueue` waits beyond it. */
  maxBatches: number;
  /** Waits out `retryLater` delays. @default realSleep */
  sleep?: Sleep;
}

/** Base of the in-process queue's errors. */
export class InProcessQueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The queue was closed before these batches were admitted, or `enqueue` was called after `close`. */
export class QueueClosedError extends InProcessQueueError {
  constructor(readonly batchIds: readonly string[]) {
    super(`the in-process queue is closed: ${batchIds.length} batch(es) were not handled (${batchIds.join(', ')})`);
  }
}

/** `ack`, `fail` or `retryLater` was called on a batch already settled. */
export class BatchAlreadySettledError extends InProcessQueueError {
  constructor(readonly batchId: string) {
    super(`batch ${batchId} was already settled: ack, fail and retryLater may be called once per delivery`);
  }
}

/** One `enqueue` call: its promise settles when all its batches are acked, or one fails. */
interface EnqueueCall {
  remaining: number;
  done: boolean;
  /** Failed for good: its batches not handed out yet are dropped, retries included. */
  withdrawn: boolean;
  released: Promise<unknown>;
  resolve(): void;
  reject(error: Error): void;
}

interface Entry {
  /** Enqueue order; a retried batch goes back in this order, ahead of later ones. */
  seq: number;
  batch: EventBatch;
  call: EnqueueCall;
}

interface Consumer {
  deliver(entry: Entry | undefined): void;
}

/**
 * The queue of the local runner. An in-memory queue dies with the process, so here "accepted"
 * means "handled": `enqueue` resolves only once the consumer has acked every one of its batches,
 * and only then may the poller commit the cursor past them. Bounded: while `maxBatches` are
 * queued, in flight or retrying, `enqueue` waits for a slot (backpressure without polling).
 * Hands batches out in enqueue order.
 */
export class InProcessQueue implements EventQueue, AsyncIterable<QueuedBatch> {
  private readonly maxBatches: number;
  private readonly sleep: Sleep;
  private readonly ready: Entry[] = [];
  private readonly admissions: Entry[] = [];
  private readonly consumers: Consumer[] = [];
  private inFlight = 0;
  private retrying = 0;
  private acked = 0;
  private failed = 0;
  private nextSeq = 0;
  private closed = false;

  constructor(options: InProcessQueueOptions) {
    if (!Number.isInteger(options.maxBatches) || options.maxBatches < 1) {
      throw new InProcessQueueError(`maxBatches must be a positive integer, got ${options.maxBatches}`);
    }
    this.maxBatches = options.maxBatches;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Resolves once every batch is acked; rejects with the consumer's error when one fails for
   * good, or with `QueueClosedError` when the queue closes before they were admitted. After a
   * rejection the call's batches not yet handed out are withdrawn: the cursor stays put, so the
   * poller reads them again.
   */
  enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError(batches.map((batch) => batch.batchId)));
    if (batches.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const call: EnqueueCall = { remaining: batches.length, done: false, withdrawn: false, released: options?.after ?? RELEASED, resolve, reject };
      for (const batch of batches) this.admissions.push({ seq: this.nextSeq++, batch, call });
      // Never released: what was not handed out yet is withdrawn; a consumer holding a batch fails it.
      options?.after?.catch((reason: unknown) => {
        this.settleCall(call, reason instanceof Error ? reason : new Error(String(reason)));
        this.pump();
      });
      this.pump();
    });
  }

  /**
   * The next batch, waiting for one if none is queued; undefined once the queue is closed and
   * everything admitted has been settled (retries included).
   * @throws the signal's reason when `signal` aborts first.
   */
  next(signal?: AbortSignal): Promise<QueuedBatch | undefined> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const entry = this.ready.shift();
    if (entry) return Promise.resolve(this.handOut(entry));
    if (this.closed && this.isDrained()) return Promise.resolve(undefined);
    return new Promise<QueuedBatch | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.consumers.indexOf(consumer);
        if (index >= 0) this.consumers.splice(index, 1);
        reject(signal?.reason);
      };
      const consumer: Consumer = {
        deliver: (next) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(next && this.handOut(next));
        },
      };
      this.consumers.push(consumer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Refuses new batches and rejects the calls still waiting for a slot; what was admitted drains. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of [...this.admissions]) {
      const call = entry.call;
      if (call.done) continue;
      const unhandled = this.admissions.filter((other) => other.call === call).map((other) => other.batch.batchId);
      // Its admitted batches stay and drain; the rejection only tells the poller not to commit.
      this.settleCall(call, new QueueClosedError(unhandled), { withdrawAdmitted: false });
    }
    this.pump();
  }

  /** A snapshot of the counters. */
  stats(): InProcessQueueStats {
    return {
      queued: this.ready.length,
      inFlight: this.inFlight,
      retrying: this.retrying,
      waiting: this.admissions.length,
      acked: this.acked,
      failed: this.failed,
    };
  }

  /** Iterates `next()` until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<QueuedBatch> {
    for (;;) {
      const queued = await this.next();
      if (queued === undefined) return;
      yield queued;
    }
  }

  /** Admits waiting batches into free slots, then feeds waiting consumers. */
  private pump(): void {
    while (this.admissions.length > 0 && this.ready.length + this.inFlight + this.retrying < this.maxBatches) {
      // Admissions are younger than anything admitted, so appending keeps `ready` in order.
      this.ready.push(this.admissions.shift() as Entry);
    }
    while (this.consumers.length > 0 && this.ready.length > 0) {
      (this.consumers.shift() as Consumer).deliver(this.ready.shift());
    }
    if (this.closed && this.isDrained()) {
      for (const consumer of this.consumers.splice(0)) consumer.deliver(undefined);
    }
  }

  private isDrained(): boolean {
    return this.ready.length === 0 && this.inFlight === 0 && this.retrying === 0 && this.admissions.length === 0;
  }

  private handOut(entry: Entry): QueuedBatch {
    this.inFlight += 1;
    let settled = false;
    const settle = (): void => {
      if (settled) throw new BatchAlreadySettledError(entry.batch.batchId);
      settled = true;
      this.inFlight -= 1;
    };
    return {
      batch: entry.batch,
      released: entry.call.released,
      ack: () => {
        settle();
        this.acked += 1;
        entry.call.remaining -= 1;
        if (entry.call.remaining === 0) this.settleCall(entry.call);
        this.pump();
      },
      fail: (error) => {
        settle();
        this.failed += 1;
        this.settleCall(entry.call, error);
        this.pump();
      },
      retryLater: (delayMs) => {
        if (!Number.isFinite(delayMs) || delayMs < 0) {
          throw new InProcessQueueError(`retryLater delayMs must be a finite number >= 0, got ${delayMs}`);
        }
        settle();
        this.retrying += 1;
        const requeue = (): void => {
          this.retrying -= 1;
          // A batch whose call failed for good meanwhile is withdrawn; after a close it still drains.
          if (!entry.call.withdrawn) this.insertInOrder(entry);
          this.pump();
        };
        this.sleep(delayMs).then(requeue, requeue);
      },
    };
  }

  private insertInOrder(entry: Entry): void {
    const index = this.ready.findIndex((other) => other.seq > entry.seq);
    if (index < 0) this.ready.push(entry);
    else this.ready.splice(index, 0, entry);
  }

  /**
   * Resolves (no error) or rejects a call once. A rejected call's batches still waiting for a slot
   * are dropped, and after a failure for good also those admitted but not handed out: the cursor
   * will not move past them, so delivering them now would only send them twice.
   */
  private settleCall(call: EnqueueCall, error?: Error, options = { withdrawAdmitted: true }): void {
    if (call.done) return;
    call.done = true;
    if (error === undefined) {
      call.resolve();
      return;
    }
    removeWhere(this.admissions, (entry) => entry.call === call);
    if (options.withdrawAdmitted) {
      call.withdrawn = true;
      removeWhere(this.ready, (entry) => entry.call === call);
    }
    call.reject(error);
  }
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (predicate(items[index] as T)) items.splice(index, 1);
  }
}
