import type { StreamPosition } from '../cursor/cursor-store.js';
import type { MpasEvent } from '../mpas/event-schemas.js';
import { advancePosition, isCovered, withKeys } from './keyed-event.js';
import type { KeyedEvent } from './keyed-event.js';
import { DAY_MS, isSettledRange, queryDatesFor, startOfUtcDay } from './legacy-days.js';
import { byTime } from './walk.js';
import type { Walk, WalkContext, WalkResult } from './walk.js';

// How many of the oldest pending events the unsettled walk keeps in memory at once.
const UNSETTLED_PAGES_KEPT = 10;

/**
 * The walk for Keycloak < 26.2: dates only (`yyyy-MM-dd`), newest first, `direction` ignored,
 * no event `id`. The cursor still moves oldest first, one UTC day at a time:
 * - a settled range (its days have ended everywhere) has stable offsets, so the walk finds the
 *   offsets of the cursor's events by binary search and reads them from the oldest end,
 *   each page reversed, committing chunk by chunk;
 * - an unsettled range (today) gains new events at offset 0, which shifts every older one, so
 *   the walk reads from offset 0 down to the cursor and sorts what it kept; a shift during the
 *   walk only causes re-reads, which the keys drop.
 */
export const walkLegacy: Walk = async (context, start) => {
  let position = start;
  while (!context.shouldStop()) {
    if (position.time > context.windowEnd) return { position, done: true };
    const dayEnd = startOfUtcDay(position.time) + DAY_MS - 1;
    const upper = Math.min(dayEnd, context.windowEnd);
    const read = isSettledRange(position.time, context.windowEnd)
      ? await readSettledDay(context, position, upper)
      : await readUnsettledDay(context, position, upper);
    position = read.position;
    if (!read.done) return read;
    if (upper === context.windowEnd) return { position, done: true };
    // The whole UTC day is enqueued: the cursor moves to the next day's first millisecond.
    const next: StreamPosition = { time: dayEnd + 1, boundary: [], mode: position.mode, updatedAt: context.now() };
    await context.deliver([], next);
    position = next;
  }
  return { position, done: false };
};

/** Reads the events of `start`'s UTC day up to `upper`; `done` once all of them are delivered. */
async function readSettledDay(context: WalkContext, start: StreamPosition, upper: number): Promise<WalkResult> {
  let position = start;
  const dates = queryDatesFor(start.time);
  const probe = async (first: number): Promise<MpasEvent | undefined> =>
    (await context.source.getEvents({ realm: context.realm, stream: context.stream, ...dates, first, max: 1 }, context.signal))[0];
  // Newest first: offsets [newerEnd, olderEnd) hold the events with start.time <= time <= upper.
  const newerEnd = await firstOffsetWhere(probe, (event) => event.time <= upper);
  let olderEnd = await firstOffsetWhere(probe, (event) => event.time < start.time, newerEnd);
  while (olderEnd > newerEnd) {
    if (context.shouldStop()) return { position, done: false };
    const first = Math.max(newerEnd, olderEnd - context.pageSize);
    const page = await context.source.getEvents(
      { realm: context.realm, stream: context.stream, ...dates, first, max: olderEnd - first },
      context.signal,
    );
    const boundary = new Set(position.boundary);
    const chunk = withKeys(page.reverse())
      .filter((item) => item.event.time <= upper && !isCovered(position, boundary, item))
      .sort(byTime);
    olderEnd = first;
    if (chunk.length === 0) continue;
    const next = advancePosition(position, chunk, context.now());
    await context.deliver(chunk, next);
    position = next;
  }
  return { position, done: true };
}

/** Like `readSettledDay`, for a day whose offsets still shift as new events arrive. */
async function readUnsettledDay(context: WalkContext, start: StreamPosition, upper: number): Promise<WalkResult> {
  const dates = queryDatesFor(start.time);
  const boundary = new Set(start.boundary);
  const keep = context.pageSize * UNSETTLED_PAGES_KEPT;
  const seen = new Set<string>();
  // Read newest to oldest, so the oldest pending events are the last ones collected.
  let pending: KeyedEvent[] = [];
  let truncated = false;
  for (let first = 0; ; first += context.pageSize) {
    const page = withKeys(
      await context.source.getEvents({ realm: context.realm, stream: context.stream, ...dates, first, max: context.pageSize }, context.signal),
    );
    for (const item of page) {
      if (item.event.time > upper || isCovered(start, boundary, item) || seen.has(item.key)) continue;
      seen.add(item.key);
      pending.push(item);
    }
    if (pending.length > keep) {
      pending = pending.slice(pending.length - keep);
      truncated = true;
    }
    const reachedCursor = page.some((item) => item.event.time < start.time);
    if (page.length < context.pageSize || reachedCursor) break;
  }
  // Reversed, the list is oldest first, keeping the server's order of ties.
  const ascending = pending.reverse().sort(byTime);
  let position = start;
  for (let index = 0; index < ascending.length; index += context.pageSize) {
    const chunk = ascending.slice(index, index + context.pageSize);
    const next = advancePosition(position, chunk, context.now());
    await context.deliver(chunk, next);
    position = next;
    if (context.shouldStop() && index + context.pageSize < ascending.length) return { position, done: false };
  }
  return { position, done: !truncated };
}

/**
 * The first offset, at or after `from`, whose event satisfies `predicate` (or the list's length),
 * for a predicate that is false on a prefix of the list and true after it: exponential search
 * for an upper bound, then binary search, one `max=1` request per probe.
 */
async function firstOffsetWhere(
  probe: (first: number) => Promise<MpasEvent | undefined>,
  predicate: (event: MpasEvent) => boolean,
  from = 0,
): Promise<number> {
  const holds = async (offset: number): Promise<boolean> => {
    const event = await probe(offset);
    return event === undefined || predicate(event);
  };
  if (await holds(from)) return from;
  let low = from; // known false
  let step = 1;
  let high = from + step;
  while (!(await holds(high))) {
    low = high;
    step *= 2;
    high = from + step;
  }
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (await holds(middle)) high = middle;
    else low = middle;
  }
  return high;
}
