import { MpasPageTooLargeError } from '../../sources/mpas/errors.js';
import { deliverChunk } from './deliver-chunk.js';
import { distinctKeys, isCovered, withKeys } from './keyed-event.js';
import type { KeyedEvent } from './keyed-event.js';
import { byTimeThenKey, nextChunk } from './next-chunk.js';
import { checkedPage, MAX_EVENTS_PER_READ, pagingError } from './walk.js';
import type { Walk, WalkContext } from './walk.js';

/**
 * The walk for Keycloak >= 26.2: `dateFrom = position.time` (inclusive, epoch ms),
 * `dateTo = now - settle`, `direction=asc`, always from `first = 0`, so new events can never
 * shift what is being read; the boundary keys drop what was read at exactly `position.time`.
 * A page is cut only where the time changes (equal times come back in no stable order, and a
 * LIMIT cuts them anywhere), and a millisecond holding more than a page is read whole in one
 * request, never by offset across requests.
 */
export const walkModern: Walk = async (context, start) => {
  let position = start;
  // Events per read that fit MPAS_MAX_PAGE_BYTES, once a page was cut: kept for the rest of the walk.
  let fitting = Number.POSITIVE_INFINITY;
  while (!context.shouldStop()) {
    if (position.time > context.windowEnd) return { position, done: true };
    // Room for the boundary's events (read again at position.time) and one more, which says
    // whether the page's newest millisecond goes on.
    const wanted = context.pageSize + position.boundary.length + 1;
    const { items, full, max } = await readShrinking(
      (size) => readRange(context, position.time, context.windowEnd, size),
      Math.min(wanted, fitting),
      position.boundary.length + 2,
    );
    if (max < wanted) fitting = max;
    const boundary = new Set(position.boundary);
    const fresh = items.filter((item) => !isCovered(position, boundary, item)).sort(byTimeThenKey);
    const decision = nextChunk(fresh, context.pageSize, !full);
    if (decision.kind === 'read-millisecond') {
      const millisecond = (await readMillisecond(context, decision.time)).items.filter((item) => !isCovered(position, boundary, item));
      position = await deliverChunk(context, position, millisecond.sort(byTimeThenKey));
      continue;
    }
    if (decision.events.length === 0 && full) {
      // A full page of nothing new: reading it again would return it again.
      throw pagingError(context, `a full page of ${max} events from ${new Date(position.time).toISOString()} held none not yet read`);
    }
    if (decision.events.length > 0) position = await deliverChunk(context, position, decision.events);
    if (!full && !decision.rest) return { position, done: true };
  }
  return { position, done: false };
};

/**
 * A read of `max` events or, when its answer weighs more than MPAS_MAX_PAGE_BYTES, of half as
 * many, down to `least` (the events of the cursor's millisecond already read, one new and one to
 * say whether its millisecond goes on): fewer events per read cost requests, not correctness, as
 * a page is cut only where the time changes. Below `least` the page cannot be made smaller, and
 * the error names the setting. At most log2(max) more requests.
 */
async function readShrinking<T>(read: (max: number) => Promise<T>, max: number, least: number): Promise<T & { max: number }> {
  for (let size = max; ; size = Math.max(least, Math.floor(size / 2))) {
    try {
      return { ...(await read(size)), max: size };
    } catch (error) {
      if (!(error instanceof MpasPageTooLargeError) || size <= least) throw error;
    }
  }
}

/**
 * One page of `[from, to]` oldest first, each event once, without anything a hostile server put
 * outside the range; `full` when the server sent as many events as asked for (or more).
 */
async function readRange(context: WalkContext, from: number, to: number, max: number): Promise<{ items: KeyedEvent[]; full: boolean }> {
  const page = checkedPage(
    context,
    await context.source.getEvents({ realm: context.realm, stream: context.stream, dateFrom: from, dateTo: to, first: 0, max, direction: 'asc' }, context.signal),
    { first: 0, max },
  );
  return { items: distinctKeys(withKeys(page.filter((event) => event.time >= from && event.time <= to))), full: page.length >= max };
}

/** Every event of one millisecond, in one request whose `max` grows until the answer is short. */
async function readMillisecond(context: WalkContext, time: number): Promise<{ items: KeyedEvent[]; full: boolean }> {
  for (let max = context.pageSize * 4; ; max *= 4) {
    const bounded = Math.min(max, MAX_EVENTS_PER_READ);
    const page = await readRange(context, time, time, bounded);
    if (!page.full) return page;
    if (bounded === MAX_EVENTS_PER_READ) {
      throw pagingError(context, `the millisecond ${new Date(time).toISOString()} holds ${MAX_EVENTS_PER_READ} events or more, more than one read may hold`);
    }
  }
}
