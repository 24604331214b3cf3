import { deliverChunk } from './deliver-chunk.js';
import { distinctKeys, isCovered, withKeys } from './keyed-event.js';
import type { KeyedEvent } from './keyed-event.js';
import { byTimeThenKey, nextChunk } from './next-chunk.js';
import { MAX_EVENTS_PER_READ, pagingError } from './walk.js';
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
  while (!context.shouldStop()) {
    if (position.time > context.windowEnd) return { position, done: true };
    // Room for the boundary's events (read again at position.time) and one more, which says
    // whether the page's newest millisecond goes on.
    const max = context.pageSize + position.boundary.length + 1;
    const { items, full } = await readRange(context, position.time, context.windowEnd, max);
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
 * One page of `[from, to]` oldest first, each event once, without anything a hostile server put
 * outside the range; `full` when the server sent as many events as asked for (or more).
 */
async function readRange(context: WalkContext, from: number, to: number, max: number): Promise<{ items: KeyedEvent[]; full: boolean }> {
  const page = await context.source.getEvents(
    { realm: context.realm, stream: context.stream, dateFrom: from, dateTo: to, first: 0, max, direction: 'asc' },
    context.signal,
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
