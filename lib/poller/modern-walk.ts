import type { StreamPosition } from '../cursor/cursor-store.js';
import { advancePosition, isCovered, withKeys } from './keyed-event.js';
import { byTime } from './walk.js';
import type { Walk, WalkContext, WalkResult } from './walk.js';

/**
 * The walk for Keycloak >= 26.2: `dateFrom = position.time` (inclusive, epoch ms),
 * `dateTo = now - settle`, `direction=asc`, always from `first = 0`, so new events can never
 * shift what is being read; the boundary keys drop what was read at exactly `position.time`.
 */
export const walkModern: Walk = async (context, start) => {
  let position = start;
  while (!context.shouldStop()) {
    if (position.time > context.windowEnd) return { position, done: true };
    const page = withKeys(
      await context.source.getEvents(
        {
          realm: context.realm,
          stream: context.stream,
          dateFrom: position.time,
          dateTo: context.windowEnd,
          first: 0,
          max: context.pageSize,
          direction: 'asc',
        },
        context.signal,
      ),
    );
    const full = page.length >= context.pageSize;
    // A full page that never leaves position.time means that millisecond holds more events
    // than a page: no dateFrom can get past it, so it is read by offset instead.
    if (full && page.at(-1)!.event.time === position.time) {
      const drained = await drainMillisecond(context, position);
      position = drained.position;
      if (!drained.done) return { position, done: false };
      continue;
    }
    const boundary = new Set(position.boundary);
    const fresh = page
      .filter((item) => item.event.time <= context.windowEnd && !isCovered(position, boundary, item))
      .sort(byTime);
    if (fresh.length > 0) {
      const next = advancePosition(position, fresh, context.now());
      await context.deliver(fresh, next);
      position = next;
    }
    if (!full) return { position, done: true };
  }
  return { position, done: false };
};

/**
 * Reads every event of the millisecond `position.time` by offset. Events at that time are read
 * in the server's order from offset 0 (first by the page above, then here), so the boundary's
 * size is the offset of the first event not yet read. The millisecond is settled (it is older
 * than `now - settle`), so its order no longer changes; the keys still drop any re-read.
 * When it is exhausted, the position moves one millisecond on with an empty boundary.
 */
async function drainMillisecond(context: WalkContext, start: StreamPosition): Promise<WalkResult> {
  let position = start;
  let offset = position.boundary.length;
  const time = position.time;
  while (!context.shouldStop()) {
    const page = withKeys(
      await context.source.getEvents(
        { realm: context.realm, stream: context.stream, dateFrom: time, dateTo: time, first: offset, max: context.pageSize, direction: 'asc' },
        context.signal,
      ),
    );
    const boundary = new Set(position.boundary);
    const fresh = page.filter((item) => item.event.time === time && !boundary.has(item.key));
    offset += page.length;
    if (page.length < context.pageSize) {
      // Every event of this millisecond is now enqueued: the next position starts after it.
      const next: StreamPosition = { time: time + 1, boundary: [], mode: position.mode, updatedAt: context.now() };
      await context.deliver(fresh, next);
      return { position: next, done: true };
    }
    if (fresh.length > 0) {
      const next = advancePosition(position, fresh, context.now());
      await context.deliver(fresh, next);
      position = next;
    }
  }
  return { position, done: false };
}
