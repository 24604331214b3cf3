import type { CursorStore } from '../../lib/core/cursor/cursor-store.js';

/** A simulated process death between enqueue and commit. */
export class SimulatedCrash extends Error {}

/**
 * The cursor store of a poller that dies at its `crashAt`-th commit: that commit throws
 * (after the page was enqueued), and the dead process releases nothing, so its lease stays
 * until it expires, as after a real crash.
 */
export function crashingAtCommit(inner: CursorStore, crashAt: number): CursorStore {
  let commits = 0;
  return crashingWhen(inner, () => (commits += 1) === crashAt, `simulated crash before commit ${crashAt}`);
}

/**
 * The cursor store of a poller that dies at the first commit for which `crashNow` says so (a
 * test's condition: so many pages enqueued, say); afterwards, as `crashingAtCommit`.
 */
export function crashingWhen(inner: CursorStore, crashNow: () => boolean, message: string): CursorStore {
  let crashed = false;
  return {
    acquire: (request) => inner.acquire(request),
    read: () => inner.read(),
    commit: async (request) => {
      if (!crashed && crashNow()) {
        crashed = true;
        throw new SimulatedCrash(message);
      }
      return inner.commit(request);
    },
    release: async (lease) => (crashed ? undefined : inner.release(lease)),
  };
}
