import { describe, expect, it } from 'vitest';
import type { CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../../../lib/core/cursor/cursor-store.js';
import { LeaseLostError } from '../../../../lib/core/cursor/errors.js';
import type { DeliveryRecord, DeliveryRecordStore } from '../../../../lib/core/poller/delivery-records.js';
import { CommitPipeline } from '../../../../lib/core/poller/commit-pipeline.js';
import type { Handover } from '../../../../lib/core/poller/commit-pipeline.js';
import type { EventBatch } from '../../../../lib/core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../../../lib/core/queue/event-queue.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';

const NOW = 1_000_000;
const LEASE_MS = 60_000;
const START: StreamPosition = { time: NOW - 60_000, boundary: [], updatedAt: NOW - 120_000 };

/** A promise the test settles. */
class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * A queue whose enqueues the test settles, as the local queue waits for the SIEM. A chunk counts
 * as released (it left the process) once its `after` resolved, as SQS or the SIEM would see it.
 */
class HeldQueue implements EventQueue {
  readonly made: Array<{ batchId: string; released: boolean; done: Deferred<void> }> = [];
  async enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    const call = { batchId: batches[0]!.batchId, released: false, done: new Deferred<void>() };
    this.made.push(call);
    if (options?.after) await options.after;
    call.released = true;
    return call.done.promise;
  }
  released(): string[] {
    return this.made.filter((call) => call.released).map((call) => call.batchId);
  }
  /** Settles the enqueue of `batchId`: the queue now holds it durably. */
  hold(batchId: string): void {
    this.made.find((call) => call.batchId === batchId)!.done.resolve();
  }
  refuse(batchId: string, error: Error): void {
    this.made.find((call) => call.batchId === batchId)!.done.reject(error);
  }
}

/** A cursor store whose commits the test settles; `durable` is what a successor would find. */
class HeldStore implements CursorStore {
  readonly asked: Array<{ position: StreamPosition; done: Deferred<void> }> = [];
  readonly durable: StreamPosition[] = [];
  async acquire(): Promise<never> {
    throw new Error('the pipeline is handed an acquired cursor');
  }
  async commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    const done = new Deferred<void>();
    this.asked.push({ position: request.position, done });
    await done.promise;
    this.durable.push(request.position);
    return { ...request.lease, leaseUntil: request.now + request.leaseMs };
  }
  async release(): Promise<void> {}
  async read(): Promise<CursorSnapshot> {
    throw new Error('not used by the pipeline');
  }
  /** Settles the commit asked for the n-th time (0-based). */
  write(index: number): void {
    this.asked[index]!.done.resolve();
  }
}

function chunk(name: string, time: number, events = 1): Handover {
  const batch: EventBatch = {
    v: 1,
    tenant: 't',
    realm: 'acme',
    stream: 'user',
    batchId: name,
    events: Array.from({ length: events }, (_, index) => ({ id: `${name}-${index}`, time, type: 'LOGIN' })),
  };
  return { realm: 'acme', stream: 'user', batches: [batch], position: { time: time + 1, boundary: [], updatedAt: NOW } };
}

/** A position moved without events (a stream's start, a reading pinned again): nothing to enqueue. */
function positionOnly(time: number): Handover {
  return { realm: 'acme', stream: 'user', batches: [], position: { time, boundary: [], updatedAt: NOW } };
}

function setup(options: { records?: DeliveryRecordStore } = {}) {
  const clock = new ManualClock(NOW);
  const store = new HeldStore();
  const queue = new HeldQueue();
  const committed: number[] = [];
  const pipeline = new CommitPipeline(
    {
      store,
      queue,
      clock,
      leaseMs: LEASE_MS,
      ...(options.records ? { lookback: { windowMs: 360_000, records: options.records } } : {}),
      observer: { committed: (_realm, _stream, events) => committed.push(events) },
    },
    { lease: { owner: 'me', fence: 7, leaseUntil: NOW + LEASE_MS }, positions: { 'acme#user': START } },
  );
  return { clock, store, queue, pipeline, committed };
}

// Lets every promise that can settle do so, without any timer.
async function drainMicrotasks(): Promise<void> {
  for (let round = 0; round < 50; round += 1) await Promise.resolve();
}

/** How a promise stands after the microtasks ran: still pending, resolved, or rejected with an error. */
function watch(promise: Promise<unknown>): { state: 'pending' | 'resolved' | Error } {
  const watched: { state: 'pending' | 'resolved' | Error } = { state: 'pending' };
  promise.then(
    () => (watched.state = 'resolved'),
    (error: Error) => (watched.state = error),
  );
  return watched;
}

describe('CommitPipeline', () => {
  it('commits a position only once the queue holds its chunk, and releases the next chunk only once that commit is written', async () => {
    const { store, queue, pipeline, committed } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000, 2));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    await drainMicrotasks();
    expect(queue.released(), 'c2 is prepared but held back behind c1').toEqual(['c1']);
    expect(store.asked, 'nothing is committed before the queue holds c1').toHaveLength(0);

    queue.hold('c1');
    await drainMicrotasks();
    expect(store.asked.map(({ position }) => position.time), "c1's commit is asked for").toEqual([NOW - 50_000 + 1]);
    expect(queue.released(), 'c2 waits until that commit is written').toEqual(['c1']);
    expect(pipeline.position('acme', 'user')).toEqual(START);

    store.write(0);
    await drainMicrotasks();
    expect(queue.released()).toEqual(['c1', 'c2']);
    expect(pipeline.position('acme', 'user')!.time).toBe(NOW - 50_000 + 1);
    expect(pipeline.events).toBe(2);
    expect(committed).toEqual([2]);

    queue.hold('c2');
    await drainMicrotasks();
    store.write(1);
    await pipeline.settle();
    expect(store.durable.map((position) => position.time)).toEqual([NOW - 50_000 + 1, NOW - 40_000 + 1]);
    expect(pipeline.events).toBe(3);
  });

  it('takes a third chunk only once the first is in the queue: two in flight at most', async () => {
    const { queue, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    const third = watch(pipeline.handOver(chunk('c3', NOW - 30_000)));
    await drainMicrotasks();
    expect(third.state).toBe('pending');
    expect(queue.made.map((call) => call.batchId)).toEqual(['c1', 'c2']);

    queue.hold('c1');
    await drainMicrotasks();
    expect(third.state).toBe('resolved');
    expect(queue.made.map((call) => call.batchId)).toEqual(['c1', 'c2', 'c3']);
  });

  it('refuses a chunk handed over while the one before it still waits for room (both would leave after the same commit)', async () => {
    const { queue, store, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    const third = watch(pipeline.handOver(chunk('c3', NOW - 30_000)));
    const fourth = watch(pipeline.handOver(chunk('c4', NOW - 20_000)));
    await drainMicrotasks();
    expect(fourth.state).toBeInstanceOf(Error);
    expect((fourth.state as Error).message).toBe(
      'a chunk of acme#user was handed over while the chunk before it still waited for room in the commit pipeline: hand chunks over one at a time',
    );

    // The refused chunk was never enqueued; the one waiting goes on as before.
    queue.hold('c1');
    await drainMicrotasks();
    expect(third.state).toBe('resolved');
    expect(queue.made.map((call) => call.batchId)).toEqual(['c1', 'c2', 'c3']);
    store.write(0);
    await drainMicrotasks();
    expect(queue.released(), 'c3 waits for the commit of c2').toEqual(['c1', 'c2']);
  });

  it('leaves the cursor before a chunk the queue holds when the process dies before its commit: that chunk is the only one out', async () => {
    const { queue, store, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    queue.hold('c1');
    await drainMicrotasks();
    // The commit of c1 is on its way to the store; the process dies here (nothing settles any more).
    expect(store.asked).toHaveLength(1);
    expect(store.durable, 'a successor finds the cursor before c1, and reads c1 again').toEqual([]);
    expect(queue.released(), 'c1 is the only chunk out and not committed').toEqual(['c1']);
  });

  it('never releases what follows a failed commit, and settles with its error', async () => {
    const { queue, store, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    queue.hold('c1');
    await drainMicrotasks();
    const lost = new LeaseLostError({ owner: 'me', fence: 7, leaseUntil: NOW + LEASE_MS });
    store.asked[0]!.done.reject(lost);
    await expect(pipeline.settle()).rejects.toBe(lost);
    expect(queue.released(), 'c2 never left').toEqual(['c1']);
    expect(store.asked, 'nothing after c1 was committed').toHaveLength(1);
    expect(pipeline.position('acme', 'user')).toEqual(START);
    expect(pipeline.events).toBe(0);
  });

  it('commits nothing for a chunk the queue refused, nor after it, and the next hand-over fails with the refusal', async () => {
    const { queue, store, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(chunk('c2', NOW - 40_000));
    const next = watch(pipeline.handOver(chunk('c3', NOW - 30_000)));
    const refusal = new Error('the SIEM did not take c1');
    queue.refuse('c1', refusal);
    await drainMicrotasks();
    expect(next.state).toBe(refusal);
    expect(store.asked, 'no commit was asked for').toHaveLength(0);
    expect(queue.released()).toEqual(['c1']);
    await expect(pipeline.settle()).rejects.toBe(refusal);
  });

  it('commits in the order handed over, even a position that enqueues nothing behind a chunk still on its way', async () => {
    const { queue, store, pipeline } = setup();
    await pipeline.handOver(chunk('c1', NOW - 50_000));
    await pipeline.handOver(positionOnly(NOW - 45_000));
    await drainMicrotasks();
    expect(store.asked, 'the moved position waits for c1').toHaveLength(0);
    queue.hold('c1');
    await drainMicrotasks();
    store.write(0);
    await drainMicrotasks();
    store.write(1);
    await pipeline.settle();
    expect(store.durable.map((position) => position.time)).toEqual([NOW - 50_000 + 1, NOW - 45_000]);
  });

  it("writes a young chunk's delivery record, with the lease's fence, before its commit", async () => {
    const puts: Array<{ record: DeliveryRecord; done: Deferred<void> }> = [];
    const records: DeliveryRecordStore = {
      put: (record) => {
        const done = new Deferred<void>();
        puts.push({ record, done });
        return done.promise;
      },
      get: async () => [],
      prune: async () => undefined,
    };
    const { queue, store, pipeline } = setup({ records });
    await pipeline.handOver({ ...chunk('c1', NOW - 50_000), record: { seq: 1, from: NOW - 60_000, to: NOW - 50_000, keys: ['k'] } });
    queue.hold('c1');
    await drainMicrotasks();
    expect(puts.map(({ record }) => record)).toEqual([{ stream: 'acme#user', seq: 1, from: NOW - 60_000, to: NOW - 50_000, keys: ['k'], fence: 7 }]);
    expect(store.asked, 'the commit waits for the record').toHaveLength(0);
    puts[0]!.done.resolve();
    await drainMicrotasks();
    expect(store.asked).toHaveLength(1);
  });

  it('takes nothing more, once the lease ran out by the clock, until the commit says whether it is still ours', async () => {
    const { clock, queue, store, pipeline } = setup();
    clock.advance(LEASE_MS);
    const first = watch(pipeline.handOver(chunk('c1', NOW - 50_000)));
    queue.hold('c1');
    await drainMicrotasks();
    expect(first.state).toBe('pending');
    store.write(0);
    await drainMicrotasks();
    expect(first.state).toBe('resolved');
    expect(pipeline.lease.leaseUntil).toBe(NOW + 2 * LEASE_MS);
  });
});
