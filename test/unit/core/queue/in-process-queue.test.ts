import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../../lib/core/queue/event-batch.js';
import {
  BatchAlreadySettledError,
  InProcessQueue,
  InProcessQueueError,
  QueueClosedError,
} from '../../../../lib/stores/queue/in-process-queue.js';
import type { QueuedBatch } from '../../../../lib/stores/queue/in-process-queue.js';
import type { Sleep } from '../../../../lib/core/time/sleep.js';

function batch(id: string): EventBatch {
  return { v: 1, tenant: 'acme', realm: 'master', stream: 'user', batchId: id, events: [{ time: 1, type: 'LOGIN' }] };
}

/** A sleep that only ends when the test says so. */
class ManualTimers {
  readonly pending: { ms: number; fire: () => void }[] = [];
  readonly sleep: Sleep = (ms) => new Promise<void>((resolve) => this.pending.push({ ms, fire: resolve }));

  fireAll(): void {
    for (const timer of this.pending.splice(0)) timer.fire();
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>): { state: () => 'pending' | 'resolved' | 'rejected'; error: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: unknown;
  promise.then(
    () => (state = 'resolved'),
    (reason: unknown) => {
      state = 'rejected';
      error = reason;
    },
  );
  return { state: () => state, error: () => error };
}

/** Lets every already-queued promise callback run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

async function take(queue: InProcessQueue): Promise<QueuedBatch> {
  const next = await queue.next();
  if (next === undefined) throw new Error('expected a batch, the queue reported closed and drained');
  return next;
}

describe('InProcessQueue', () => {
  it('resolves enqueue only after the consumer has acked every batch of the call', async () => {
    const queue = new InProcessQueue({ maxBatches: 10 });
    const enqueued = track(queue.enqueue([batch('a'), batch('b')]));

    const first = await take(queue);
    first.ack();
    await flush();
    expect(enqueued.state()).toBe('pending');

    const second = await take(queue);
    await flush();
    expect(enqueued.state()).toBe('pending');
    second.ack();
    await flush();
    expect(enqueued.state()).toBe('resolved');
    expect(queue.stats()).toEqual({ queued: 0, inFlight: 0, retrying: 0, waiting: 0, acked: 2, failed: 0 });
  });

  it('rejects enqueue with the consumer error when a batch fails for good, and withdraws the rest', async () => {
    const queue = new InProcessQueue({ maxBatches: 10 });
    const enqueued = queue.enqueue([batch('a'), batch('b'), batch('c')]);
    const failure = new Error('SIEM answered 400');

    (await take(queue)).fail(failure);

    await expect(enqueued).rejects.toBe(failure);
    expect(queue.stats()).toMatchObject({ queued: 0, failed: 1, acked: 0 });
  });

  it('keeps enqueue pending while the queue is full and admits the batch when a slot frees', async () => {
    const queue = new InProcessQueue({ maxBatches: 2 });
    const firstCall = track(queue.enqueue([batch('a'), batch('b')]));
    const blocked = track(queue.enqueue([batch('c')]));
    await flush();
    expect(queue.stats()).toMatchObject({ queued: 2, waiting: 1 });

    const a = await take(queue);
    await flush();
    // Handing a batch out frees no slot: it is still unsettled.
    expect(queue.stats()).toMatchObject({ queued: 1, inFlight: 1, waiting: 1 });

    a.ack();
    await flush();
    expect(queue.stats()).toMatchObject({ queued: 2, inFlight: 0, waiting: 0 });
    expect(blocked.state()).toBe('pending');

    (await take(queue)).ack();
    const c = await take(queue);
    expect(c.batch.batchId).toBe('c');
    c.ack();
    await flush();
    expect(firstCall.state()).toBe('resolved');
    expect(blocked.state()).toBe('resolved');
  });

  it('admits a call larger than maxBatches one slot at a time', async () => {
    const queue = new InProcessQueue({ maxBatches: 1 });
    const ids = ['a', 'b', 'c', 'd'];
    const enqueued = track(queue.enqueue(ids.map(batch)));
    const seen: string[] = [];
    for (let i = 0; i < ids.length; i += 1) {
      expect(queue.stats().queued + queue.stats().inFlight).toBeLessThanOrEqual(1);
      const next = await take(queue);
      seen.push(next.batch.batchId);
      next.ack();
    }
    await flush();
    expect(seen).toEqual(ids);
    expect(enqueued.state()).toBe('resolved');
  });

  it('hands a retried batch out again only after its delay', async () => {
    const timers = new ManualTimers();
    const queue = new InProcessQueue({ maxBatches: 10, sleep: timers.sleep });
    const enqueued = track(queue.enqueue([batch('a'), batch('b')]));

    (await take(queue)).retryLater(1_500);
    expect(timers.pending.map((timer) => timer.ms)).toEqual([1_500]);
    expect(queue.stats()).toMatchObject({ retrying: 1, queued: 1 });

    const b = await take(queue);
    expect(b.batch.batchId).toBe('b');
    b.ack();
    const redelivery = queue.next();
    const redelivered = track(redelivery);
    await flush();
    expect(redelivered.state()).toBe('pending');

    timers.fireAll();
    const again = await redelivery;
    expect(again?.batch.batchId).toBe('a');
    expect(enqueued.state()).toBe('pending');
    again?.ack();
    await flush();
    expect(enqueued.state()).toBe('resolved');
    expect(queue.stats()).toMatchObject({ acked: 2, retrying: 0, inFlight: 0 });
  });

  it('puts a retried batch back in enqueue order, before batches enqueued after it', async () => {
    const timers = new ManualTimers();
    const queue = new InProcessQueue({ maxBatches: 10, sleep: timers.sleep });
    void queue.enqueue([batch('a'), batch('b'), batch('c')]);

    (await take(queue)).retryLater(10);
    timers.fireAll();
    await flush();

    const order: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const next = await take(queue);
      order.push(next.batch.batchId);
      next.ack();
    }
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('rejects on close the calls not fully admitted, yet still drains what they had admitted', async () => {
    const queue = new InProcessQueue({ maxBatches: 3 });
    const ids = Array.from({ length: 8 }, (_, i) => `batch-${i}`);
    const calls = [ids.slice(0, 2), ids.slice(2, 5), ids.slice(5)].map((part) => queue.enqueue(part.map(batch)));
    queue.close();
    const settled = Promise.allSettled(calls);
    const order: string[] = [];
    for await (const next of queue) {
      order.push(next.batch.batchId);
      next.ack();
    }
    expect(order).toEqual(['batch-0', 'batch-1', 'batch-2']);
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const second = outcomes[1];
    expect(second?.status === 'rejected' && (second.reason as QueueClosedError).batchIds).toEqual(['batch-3', 'batch-4']);
  });

  it('delivers in FIFO order across enqueue calls while a consumer keeps up', async () => {
    const queue = new InProcessQueue({ maxBatches: 2 });
    const ids = Array.from({ length: 9 }, (_, i) => `batch-${i}`);
    const calls = Promise.all([ids.slice(0, 4), ids.slice(4, 5), ids.slice(5)].map((part) => queue.enqueue(part.map(batch))));
    const order: string[] = [];
    while (order.length < ids.length) {
      const next = await take(queue);
      order.push(next.batch.batchId);
      next.ack();
    }
    await calls;
    expect(order).toEqual(ids);
  });

  it('drains what was admitted after close, retries included, then reports undefined', async () => {
    const timers = new ManualTimers();
    const queue = new InProcessQueue({ maxBatches: 2, sleep: timers.sleep });
    const admitted = queue.enqueue([batch('a'), batch('b')]);
    const waiting = queue.enqueue([batch('c')]);

    queue.close();
    await expect(waiting).rejects.toBeInstanceOf(QueueClosedError);
    await expect(waiting).rejects.toThrow(/\(c\)/);
    await expect(queue.enqueue([batch('d')])).rejects.toBeInstanceOf(QueueClosedError);

    (await take(queue)).retryLater(5);
    (await take(queue)).ack();
    // A batch waiting out its retry is not drained yet: next() waits for it instead of ending.
    const retry = queue.next();
    const retried = track(retry);
    await flush();
    expect(retried.state()).toBe('pending');

    timers.fireAll();
    const a = await retry;
    expect(a?.batch.batchId).toBe('a');
    const end = track(queue.next());
    await flush();
    expect(end.state()).toBe('pending'); // 'a' is in flight and could still be retried
    a?.ack();

    await admitted;
    await flush();
    expect(end.state()).toBe('resolved');
    expect(await queue.next()).toBeUndefined();
  });

  it('wakes a waiting consumer with undefined when an empty queue closes', async () => {
    const queue = new InProcessQueue({ maxBatches: 1 });
    const waiting = queue.next();
    queue.close();
    expect(await waiting).toBeUndefined();
  });

  it('rejects next with the abort reason and leaves the batch for the next consumer', async () => {
    const queue = new InProcessQueue({ maxBatches: 1 });
    const controller = new AbortController();
    const aborted = queue.next(controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');

    void queue.enqueue([batch('a')]);
    expect((await take(queue)).batch.batchId).toBe('a');
  });

  it('refuses to settle one delivery twice', async () => {
    const queue = new InProcessQueue({ maxBatches: 1 });
    void queue.enqueue([batch('a')]);
    const a = await take(queue);
    a.ack();
    expect(() => a.ack()).toThrow(BatchAlreadySettledError);
    expect(() => a.fail(new Error('late'))).toThrow(/batch a was already settled/);
  });

  it('drops a retrying batch whose enqueue call already failed', async () => {
    const timers = new ManualTimers();
    const queue = new InProcessQueue({ maxBatches: 5, sleep: timers.sleep });
    const enqueued = queue.enqueue([batch('a'), batch('b')]);
    (await take(queue)).retryLater(10);
    (await take(queue)).fail(new Error('permanent'));
    await expect(enqueued).rejects.toThrow('permanent');

    timers.fireAll();
    queue.close();
    expect(await queue.next()).toBeUndefined();
    expect(queue.stats()).toEqual({ queued: 0, inFlight: 0, retrying: 0, waiting: 0, acked: 0, failed: 1 });
  });

  it('hands a batch out at once but releases it only when its after resolves', async () => {
    const queue = new InProcessQueue({ maxBatches: 4 });
    let open!: () => void;
    const after = new Promise<void>((resolve) => (open = resolve));
    const enqueued = track(queue.enqueue([batch('a')], { after }));
    const held = await take(queue);
    const released = track(held.released);
    await flush();
    expect(released.state(), 'handed out before its after resolved, to be prepared').toBe('pending');
    open();
    await flush();
    expect(released.state()).toBe('resolved');
    held.ack();
    await flush();
    expect(enqueued.state()).toBe('resolved');
  });

  it('rejects the enqueue with the reason of an after that rejects, withdraws what was not handed out, and rejects released for what was', async () => {
    const queue = new InProcessQueue({ maxBatches: 4 });
    let fail!: (error: Error) => void;
    const after = new Promise<void>((_resolve, reject) => (fail = reject));
    const enqueued = track(queue.enqueue([batch('a'), batch('b')], { after }));
    const held = await take(queue);
    const released = track(held.released);
    const lost = new Error('the commit before found the lease taken');
    fail(lost);
    await flush();
    expect(enqueued.state()).toBe('rejected');
    expect(enqueued.error()).toBe(lost);
    expect(released.state()).toBe('rejected');
    expect(queue.stats(), 'b was withdrawn').toMatchObject({ queued: 0, inFlight: 1 });
    held.fail(lost);
    queue.close();
    expect(await queue.next(), 'nothing left to hand out').toBeUndefined();
  });

  it('releases a batch enqueued without after at once', async () => {
    const queue = new InProcessQueue({ maxBatches: 4 });
    void queue.enqueue([batch('a')]);
    const held = await take(queue);
    await expect(held.released).resolves.toBeUndefined();
  });

  it('rejects a maxBatches that is not a positive integer, naming the setting', () => {
    expect(() => new InProcessQueue({ maxBatches: 0 })).toThrow(InProcessQueueError);
    expect(() => new InProcessQueue({ maxBatches: 1.5 })).toThrow(/maxBatches/);
  });

  it('resolves an empty enqueue at once', async () => {
    const queue = new InProcessQueue({ maxBatches: 1 });
    await expect(queue.enqueue([])).resolves.toBeUndefined();
  });
});
