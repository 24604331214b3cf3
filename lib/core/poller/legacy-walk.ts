import type { StreamPosition } from '../cursor/cursor-store.js';
import { MpasPageTooLargeError } from '../../sources/mpas/errors.js';
import type { MpasEvent } from '../events/event-schemas.js';
import { deliverChunk } from './deliver-chunk.js';
import { distinctKeys, isCovered, withKeys } from './keyed-event.js';
import { DAY_MS, queryDatesFor, startOfUtcDay } from './legacy-days.js';
import { byTimeThenKey, nextChunk } from './next-chunk.js';
import { checkedPage, MAX_EVENTS_PER_READ, MAX_OFFSET, pagingError } from './walk.js';
import type { Walk, WalkContext, WalkResult } from './walk.js';

// Offsets read below the cursor's events, so that events added between two requests (which
// push every older event to a higher offset) do not carry the slice past its end.
const INITIAL_SLACK = 8;
// Reads in a row that deliver nothing before the walk says the server cannot be paged through.
const MAX_FRUITLESS_READS = 24;

/**
 * The walk for Keycloak < 26.2: dates only (`yyyy-MM-dd`, in the server's unknown zone),
 * newest first, `direction` ignored, no event `id`. The cursor still moves oldest first, one
 * UTC day at a time, each day queried with a day more on each side (so any zone, and a `dateTo`
 * that means the start of its day, still cover it) and filtered by `time` here.
 *
 * Offsets in a newest-first list shift whenever an event is stored, and equal times come back
 * in no stable order, so no offset is trusted across requests: each read is a slice that must
 * reach below the cursor (checked on what it returns; grown and searched again when new events
 * pushed it away), and what it delivers is decided from the slice's content alone, cut only
 * where the time changes.
 */
export const walkLegacy: Walk = async (context, start) => {
  let position = start;
  while (!context.shouldStop()) {
    if (position.time > context.windowEnd) return { position, done: true };
    const dayStart = startOfUtcDay(position.time);
    const upper = Math.min(dayStart + DAY_MS - 1, context.windowEnd);
    const read = await readDay(context, position, upper);
    position = read.position;
    if (!read.done) return read;
    if (upper === context.windowEnd) return { position, done: true };
    // The whole UTC day is enqueued: the cursor moves to the next day's first millisecond.
    const next: StreamPosition = { time: dayStart + DAY_MS, boundary: [], mode: position.mode, updatedAt: context.now() };
    await context.deliver([], next);
    position = next;
  }
  return { position, done: false };
};

/** Delivers the events of the cursor's UTC day up to `upper`; `done` once all of them are. */
async function readDay(context: WalkContext, start: StreamPosition, upper: number): Promise<WalkResult> {
  const dates = queryDatesFor(start.time);
  const read = async (first: number, max: number): Promise<MpasEvent[]> =>
    checkedPage(context, await context.source.getEvents({ realm: context.realm, stream: context.stream, ...dates, first, max }, context.signal), { first, max });
  let position = start;
  // Newest first: the first offset holding an event older than the cursor.
  const unreachable = (): Error =>
    pagingError(context, `no event older than the cursor (${new Date(position.time).toISOString()}) below offset ${MAX_OFFSET} of ${dates.dateFrom}..${dates.dateTo}: the server ignores first`);
  let olderEnd = await firstOffsetWhere((first) => read(first, 1), (event) => event.time < position.time, 0, unreachable);
  let slack = INITIAL_SLACK;
  let grow = 1;
  let fruitless = 0;
  // The last cut read: what is said when the reads run out because pages stay too large.
  let cut: MpasPageTooLargeError | undefined;
  // Events per chunk: halved while a slice weighs more than MPAS_MAX_PAGE_BYTES (see modern-walk's readShrinking).
  let pageSize = context.pageSize;
  while (!context.shouldStop()) {
    if (++fruitless > MAX_FRUITLESS_READS) {
      if (cut) throw cut;
      throw pagingError(context, `${MAX_FRUITLESS_READS} reads in a row of the events of ${dates.dateFrom}..${dates.dateTo} found nothing new (offsets ignored, or the list shifts faster than it can be read)`);
    }
    const span = (pageSize + position.boundary.length + 1) * grow;
    const first = Math.max(0, olderEnd - span);
    const max = olderEnd - first + slack;
    if (max > MAX_EVENTS_PER_READ) throw pagingError(context, `reaching the cursor at ${new Date(position.time).toISOString()} needs a read of more than ${MAX_EVENTS_PER_READ} events`);
    let page: MpasEvent[];
    try {
      page = await read(first, max);
    } catch (error) {
      if (!(error instanceof MpasPageTooLargeError) || (pageSize === 1 && grow === 1)) throw error;
      cut = error;
      pageSize = Math.max(1, Math.floor(pageSize / 2));
      grow = 1;
      continue;
    }
    const items = distinctKeys(withKeys(page));
    const reachesBelow = page.length < max || items.some((item) => item.event.time < position.time);
    if (!reachesBelow) {
      // Events stored since olderEnd was found pushed the cursor's events further down.
      slack *= 2;
      olderEnd = await firstOffsetWhere((offset) => read(offset, 1), (event) => event.time < position.time, olderEnd, unreachable);
      continue;
    }
    // The slice holds every event from its newest one down to below the cursor; its newest
    // millisecond may go on above it, unless the slice starts at the newest event there is.
    let newest = Number.NEGATIVE_INFINITY;
    for (const item of items) newest = Math.max(newest, item.event.time);
    const boundary = new Set(position.boundary);
    const fresh = items.filter((item) => item.event.time <= upper && !isCovered(position, boundary, item)).sort(byTimeThenKey);
    const reachedTop = first === 0 || newest > upper;
    const decision = nextChunk(fresh, pageSize, reachedTop);
    if (decision.kind === 'read-millisecond' || (decision.events.length === 0 && !reachedTop)) {
      grow *= 2;
      continue;
    }
    if (decision.events.length > 0) position = await deliverChunk(context, position, decision.events);
    if (reachedTop && !decision.rest) return { position, done: true };
    // Every event of the new cursor's millisecond was in the slice: the next one ends just below it.
    const below = page.findIndex((event) => event.time < position.time);
    olderEnd = first + (below === -1 ? page.length : below);
    fruitless = 0;
    cut = undefined;
    grow = 1;
  }
  return { position, done: false };
}

/**
 * The first offset, at or after `from`, whose event satisfies `predicate` (or the list's length),
 * for a predicate that is false on a prefix of the list and true after it: exponential search
 * for an upper bound, then binary search, one `max=1` request per probe. A list that shifts
 * meanwhile may make the answer too small; the slice read from it checks that.
 */
async function firstOffsetWhere(
  probe: (first: number) => Promise<MpasEvent[]>,
  predicate: (event: MpasEvent) => boolean,
  from: number,
  unreachable: () => Error,
): Promise<number> {
  const holds = async (offset: number): Promise<boolean> => {
    const event = (await probe(offset))[0];
    return event === undefined || predicate(event);
  };
  if (await holds(from)) return from;
  let low = from; // known false
  let step = 1;
  let high = from + step;
  while (!(await holds(high))) {
    // At most 32 probes: a list longer than Keycloak's largest offset is a server ignoring `first`.
    if (high >= MAX_OFFSET) throw unreachable();
    low = high;
    step *= 2;
    high = Math.min(from + step, MAX_OFFSET);
  }
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (await holds(middle)) high = middle;
    else low = middle;
  }
  return high;
}
