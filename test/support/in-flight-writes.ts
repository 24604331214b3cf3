import type { CursorStore } from '../../lib/core/cursor/cursor-store.js';
import type { EventQueue } from '../../lib/core/queue/event-queue.js';

/** A poller's queue and cursor store, wrapped so a test can wait until none of its writes is in flight. */
export interface InFlightWrites {
  queue: EventQueue;
  store: CursorStore;
  /** Resolves once every enqueue started so far has been followed by its commit, and that commit returned. */
  settled(): Promise<void>;
}

/**
 * The poller enqueues and commits a page while it reads the next one. A test that moves the
 * clock in the middle of a read must first let that write land, or the commit renews the lease
 * at the moved time, depending on which of the two finished first.
 */
export function trackInFlightWrites(queue: EventQueue, store: CursorStore): InFlightWrites {
  let enqueuesAwaitingCommit = 0;
  let commitsRunning = 0;
  let waiters: Array<() => void> = [];
  const wakeIfSettled = (): void => {
    if (enqueuesAwaitingCommit > 0 || commitsRunning > 0) return;
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  };
  return {
    queue: {
      enqueue: async (batches, options) => {
        enqueuesAwaitingCommit += 1;
        try {
          await queue.enqueue(batches, options);
        } catch (error) {
          // A failed enqueue is never committed: nothing of it is in flight any more.
          enqueuesAwaitingCommit -= 1;
          wakeIfSettled();
          throw error;
        }
      },
    },
    store: {
      acquire: (request) => store.acquire(request),
      read: () => store.read(),
      release: (lease) => store.release(lease),
      commit: async (request) => {
        if (enqueuesAwaitingCommit > 0) enqueuesAwaitingCommit -= 1;
        commitsRunning += 1;
        try {
          return await store.commit(request);
        } finally {
          commitsRunning -= 1;
          wakeIfSettled();
        }
      },
    },
    settled: () =>
      new Promise((resolve) => {
        waiters.push(resolve);
        wakeIfSettled();
      }),
  };
}
