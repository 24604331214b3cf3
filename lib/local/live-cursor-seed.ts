import { hostname } from 'node:os';
import type { CursorSnapshot, StreamKey } from '../core/cursor/cursor-store.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import type { Clock } from '../core/time/clock.js';
import { systemClock } from '../core/time/clock.js';

/** The live cursor's streams that have no position yet, of those a backfill covered. */
export async function streamsWithoutLiveCursor(options: { stateDir: string; tenant: string; keys: readonly StreamKey[] }): Promise<StreamKey[]> {
  const live = await new FileCursorStore({ stateDir: options.stateDir, tenant: options.tenant }).read();
  return options.keys.filter((key) => live.positions[key] === undefined);
}

/**
 * Starts the live cursor where a finished backfill ended, for the streams that have no live
 * position yet, so the first `run` continues exactly there: no gap, and no event twice (the
 * backfill's boundary keys come along). Streams that already have a live position are left
 * alone: the live cursor is the service's, and only a stream it never read may be given a start.
 * @returns the keys it set.
 * @throws LeaseHeldError when a live `run` holds the state directory (it has its own start then).
 */
export async function seedLiveCursor(options: {
  stateDir: string;
  tenant: string;
  positions: CursorSnapshot['positions'];
  leaseMs: number;
  clock?: Clock;
}): Promise<StreamKey[]> {
  const clock = options.clock ?? systemClock;
  const store = new FileCursorStore({ stateDir: options.stateDir, tenant: options.tenant });
  const acquired = await store.acquire({ owner: `${hostname()}:${process.pid}:backfill`, now: clock.now(), leaseMs: options.leaseMs });
  const positions = acquired.positions;
  let lease = acquired.lease;
  const set: StreamKey[] = [];
  try {
    for (const [key, position] of Object.entries(options.positions) as Array<[StreamKey, CursorSnapshot['positions'][StreamKey]]>) {
      if (!position || positions[key] !== undefined) continue;
      const now = clock.now();
      lease = await store.commit({ lease, key, position: { ...position, updatedAt: now }, now, leaseMs: options.leaseMs });
      set.push(key);
    }
  } finally {
    await store.release(lease);
  }
  return set;
}
