import { describe, expect, it } from 'vitest';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../../../lib/core/cursor/cursor-store.js';
import { LeaseLostError } from '../../../../lib/core/cursor/errors.js';
import { MpasUnavailableError } from '../../../../lib/sources/mpas/errors.js';
import type { UserEvent } from '../../../../lib/core/events/event-schemas.js';
import type { EventSource } from '../../../../lib/core/poller/event-source.js';
import { pollTenant } from '../../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../../lib/core/poller/poll-tenant.js';
import type { EventBatch } from '../../../../lib/core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../../../lib/core/queue/event-queue.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';

const NOW = 1_000_000;
const PAGE_SIZE = 2;
// Ten user events a millisecond apart, well inside the settled window: five full pages.
const EVENTS: UserEvent[] = Array.from({ length: 10 }, (_, index) => ({ id: `e${index}`, time: NOW - 60_000 + index, type: 'LOGIN' }));

/** A cursor store in memory that records every commit, and can lose the lease at the n-th. */
class MemoryStore implements CursorStore {
  readonly commits: Array<{ key: StreamKey; position: StreamPosition }> = [];
  lostAtCommit = Number.POSITIVE_INFINITY;
  async acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor> {
    return { lease: { owner: request.owner, fence: 1, leaseUntil: request.now + request.leaseMs }, positions: {} };
  }
  async commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    if (this.commits.length + 1 >= this.lostAtCommit) throw new LeaseLostError(request.lease);
    this.commits.push({ key: request.key, position: request.position });
    return { ...request.lease, leaseUntil: request.now + request.leaseMs };
  }
  async release(): Promise<void> {}
  async read(): Promise<CursorSnapshot> {
    throw new Error('not used by the poller');
  }
}

/**
 * A queue whose enqueues stay pending until the test settles them, as the local queue waits for
 * the SIEM. A call counts once released (its `after` resolved), as the SIEM would see it.
 */
class HeldQueue implements EventQueue {
  readonly calls: Array<{ batch: EventBatch; resolve: () => void; reject: (error: Error) => void }> = [];
  /** Enqueue calls made, released or not. */
  made = 0;
  private waiters: Array<() => void> = [];
  async enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    this.made += 1;
    if (options?.after) await options.after;
    return new Promise((resolve, reject) => {
      this.calls.push({ batch: batches[0]!, resolve, reject });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
  async waitForCalls(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

function setup() {
  const fetches: number[] = [];
  const source: EventSource = {
    apiMode: async () => 'modern',
    getEvents: async (query) => {
      // The modern walk always asks with epoch milliseconds.
      const from = Number(query.dateFrom);
      const to = Number(query.dateTo);
      fetches.push(from);
      return EVENTS.filter((event) => event.time >= from && event.time <= to).slice(query.first, query.first + query.max);
    },
  };
  const store = new MemoryStore();
  const queue = new HeldQueue();
  const options: PollTenantOptions = {
    tenant: 't', owner: 'me', realms: ['acme'], streams: ['user'], source, store, queue,
    clock: new ManualClock(NOW), settleMs: 5_000, pageSize: PAGE_SIZE, leaseMs: 60_000, startFrom: NOW - 60_000,
  };
  return { fetches, store, queue, options };
}

// Lets every promise that can settle do so, without any timer.
async function drainMicrotasks(): Promise<void> {
  for (let round = 0; round < 50; round += 1) await Promise.resolve();
}

describe('pollTenant', () => {
  it('prepares the next page and reads the one after while a page is delivered, and releases a page only once the one before is committed', async () => {
    const { fetches, store, queue, options } = setup();
    const poll = pollTenant(options);
    await queue.waitForCalls(1);
    await drainMicrotasks();
    expect(fetches.length, 'pages 2 and 3 are read while page 1 is still being delivered').toBe(3);
    expect(queue.made, 'page 2 is enqueued, to be prepared').toBe(2);
    expect(queue.calls.length, 'page 2 is not released before page 1 is delivered and committed').toBe(1);
    expect(store.commits.length, 'only the start position is committed before page 1 is delivered').toBe(1);
    // From here on the SIEM takes every page as it comes.
    let settled = false;
    void poll.finally(() => (settled = true));
    for (let page = 1; !settled; page += 1) {
      await Promise.race([queue.waitForCalls(page), poll]);
      if (page <= 5) expect(store.commits.length, `page ${page} is released once the start and the ${page - 1} pages before it are committed`).toBe(page);
      expect(queue.made - queue.calls.length, 'at most one page is held back').toBeLessThanOrEqual(1);
      queue.calls[page - 1]?.resolve();
      await drainMicrotasks();
    }
    await expect(poll).resolves.toMatchObject({ status: 'complete', events: 10 });
    expect(queue.calls.flatMap(({ batch }) => batch.events.map((event) => event.id))).toEqual(EVENTS.map((event) => event.id));
    const times = store.commits.map(({ position }) => position.time);
    expect(times, 'commits strictly in order').toEqual([...times].sort((a, b) => a - b));
    expect(store.commits.at(-1)!.position.boundary).toEqual(['e9']);
  });

  it('stops cleanly when the stop lands during a read: what was read before is delivered and committed', async () => {
    const { fetches, store, queue, options } = setup();
    const stop = new AbortController();
    const source = options.source;
    const reads = { started: 0 };
    const poll = pollTenant({
      ...options,
      signal: stop.signal,
      source: {
        ...source,
        getEvents: async (query, signal) => {
          reads.started += 1;
          // The third read waits until the stop aborts it, as an HTTP request does.
          if (reads.started === 3) {
            await new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
          }
          return source.getEvents(query, signal);
        },
      },
    });
    await queue.waitForCalls(1);
    await drainMicrotasks();
    expect(reads.started, 'page 3 is being read').toBe(3);
    stop.abort();
    queue.calls[0]!.resolve();
    await queue.waitForCalls(2);
    queue.calls[1]!.resolve();
    // Page 2 is read from e1's millisecond on (the cursor's time is inclusive): e1 is read again
    // and dropped by the boundary, so page 2 still holds a page of new events.
    await expect(poll).resolves.toMatchObject({ status: 'stopped', events: 4 });
    expect(queue.calls.map(({ batch }) => batch.events.map((event) => (event as UserEvent).id))).toEqual([['e0', 'e1'], ['e2', 'e3']]);
    expect(store.commits.map(({ position }) => position.boundary), 'start, page 1, page 2').toEqual([[], ['e1'], ['e3']]);
    expect(fetches.length, 'the aborted read never reached MPAS').toBe(2);
  });

  it('enqueues and commits nothing after a failed enqueue, and rejects with its error', async () => {
    const { fetches, store, queue, options } = setup();
    const poll = pollTenant(options);
    await queue.waitForCalls(1);
    await drainMicrotasks();
    const failure = new Error('the SIEM did not take page 1');
    queue.calls[0]!.reject(failure);
    await expect(poll).rejects.toBe(failure);
    expect(queue.calls.length, 'page 2 was enqueued but never released').toBe(1);
    expect(queue.made).toBe(2);
    expect(fetches.length, 'page 3 was read, and nothing after it').toBe(3);
    expect(store.commits.length, 'only the start position').toBe(1);
  });

  it('reports lease-lost and enqueues nothing more once a pipelined commit finds the lease taken', async () => {
    const { store, queue, options } = setup();
    store.lostAtCommit = 3; // the start position and page 1 commit; page 2's commit finds the lease gone
    const poll = pollTenant(options);
    await queue.waitForCalls(1);
    queue.calls[0]!.resolve();
    await queue.waitForCalls(2);
    queue.calls[1]!.resolve();
    await expect(poll).resolves.toMatchObject({ status: 'lease-lost', events: 2 });
    expect(queue.calls.length, 'page 3 never released').toBe(2);
    expect(queue.made, 'pages 3 and 4 were enqueued, to be prepared, never released').toBe(4);
    expect(store.commits.length).toBe(2);
  });

  it('says failed when every stream failed and partial when some did, naming them', async () => {
    const { options } = setup();
    const unavailable = new MpasUnavailableError({ route: 'admin-events', attempts: 5, lastFailure: 'a connection failure (ECONNREFUSED: connection refused by 127.0.0.1:9)' });
    const failingAdmin: EventSource = {
      ...options.source,
      getEvents: async (query, signal) => {
        if (query.stream === 'admin') throw unavailable;
        return options.source.getEvents(query, signal);
      },
    };
    const immediate: EventQueue = { enqueue: async () => undefined };
    const partial = await pollTenant({ ...options, queue: immediate, streams: ['user', 'admin'], source: failingAdmin });
    expect(partial).toMatchObject({ status: 'partial', events: 10, failures: [{ realm: 'acme', stream: 'admin', error: unavailable }] });
    const failed = await pollTenant({ ...options, queue: immediate, streams: ['admin'], source: failingAdmin });
    expect(failed).toMatchObject({ status: 'failed', events: 0, failures: [{ realm: 'acme', stream: 'admin' }] });
  });
});
