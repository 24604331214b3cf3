import { describe, expect, it } from 'vitest';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../../lib/cursor/cursor-store.js';
import { LeaseLostError } from '../../../lib/cursor/errors.js';
import type { UserEvent } from '../../../lib/mpas/event-schemas.js';
import type { EventSource } from '../../../lib/poller/event-source.js';
import { pollTenant } from '../../../lib/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../lib/poller/poll-tenant.js';
import type { EventBatch } from '../../../lib/queue/event-batch.js';
import type { EventQueue } from '../../../lib/queue/event-queue.js';
import { ManualClock } from '../../../lib/time/clock.js';

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

/** A queue whose enqueues stay pending until the test settles them, as the local queue waits for the SIEM. */
class HeldQueue implements EventQueue {
  readonly calls: Array<{ batch: EventBatch; resolve: () => void; reject: (error: Error) => void }> = [];
  private waiters: Array<() => void> = [];
  enqueue(batches: readonly EventBatch[]): Promise<void> {
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
  it('fetches the next page while the current one is enqueued, but never a second one ahead', async () => {
    const { fetches, store, queue, options } = setup();
    const poll = pollTenant(options);
    await queue.waitForCalls(1);
    await drainMicrotasks();
    expect(fetches.length, 'page 2 is read while page 1 is still being delivered').toBe(2);
    expect(queue.calls.length, 'page 2 waits for page 1').toBe(1);
    expect(store.commits.length, 'only the start position is committed before page 1 is delivered').toBe(1);
    // From here on the SIEM takes every page as it comes.
    let settled = false;
    void poll.finally(() => (settled = true));
    for (let page = 1; !settled; page += 1) {
      await Promise.race([queue.waitForCalls(page), poll]);
      queue.calls[page - 1]?.resolve();
      await drainMicrotasks();
    }
    await expect(poll).resolves.toMatchObject({ status: 'complete', events: 10 });
    expect(queue.calls.flatMap(({ batch }) => batch.events.map((event) => event.id))).toEqual(EVENTS.map((event) => event.id));
    const times = store.commits.map(({ position }) => position.time);
    expect(times, 'commits strictly in order').toEqual([...times].sort((a, b) => a - b));
    expect(store.commits.at(-1)!.position.boundary).toEqual(['e9']);
  });

  it('enqueues and commits nothing after a failed enqueue, and rejects with its error', async () => {
    const { fetches, store, queue, options } = setup();
    const poll = pollTenant(options);
    await queue.waitForCalls(1);
    await drainMicrotasks();
    const failure = new Error('the SIEM did not take page 1');
    queue.calls[0]!.reject(failure);
    await expect(poll).rejects.toBe(failure);
    expect(queue.calls.length, 'page 2 was read but never enqueued').toBe(1);
    expect(fetches.length).toBe(2);
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
    expect(queue.calls.length, 'page 3 never enqueued').toBe(2);
    expect(store.commits.length).toBe(2);
  });
});
