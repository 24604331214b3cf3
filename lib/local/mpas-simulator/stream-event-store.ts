import type { MpasEvent } from '../../mpas/event-schemas.js';
import { createRandom } from '../random.js';
import type { Random } from '../random.js';
import { SimulatorUsageError } from './errors.js';

/** One page request against a stream, after the HTTP layer has parsed and checked it. */
export interface StoreQuery {
  /** Inclusive lower bound on `time`. */
  from?: number;
  /** Inclusive upper bound on `time`. */
  to?: number;
  order: 'asc' | 'desc';
  first: number;
  max: number;
  /** Keycloak's other filters (type, client, user, ...), already folded into one predicate. */
  matches?: (event: MpasEvent) => boolean;
}

interface Entry {
  readonly event: MpasEvent;
  readonly time: number;
  /** Seeded random rank among events of the same millisecond. */
  readonly tie: number;
  readonly seq: number;
}

interface Pending {
  readonly event: MpasEvent;
  readonly visibleAt: number;
}

// Above this many new events, appending and sorting once beats inserting one by one.
const BULK_INSERT = 64;

function compare(a: Entry, b: Entry): number {
  return a.time - b.time || a.tie - b.tie || a.seq - b.seq;
}

/**
 * The events of one realm's stream, kept sorted by `time` and, within one millisecond, by a
 * seeded random rank: Keycloak orders by time only, so ties come back in whatever order the
 * database picks. That order is stable across requests (offset paging over a fixed set stays
 * consistent) but is not insertion order, so a client that assumes insertion order fails here
 * as it would in production.
 *
 * Events committed late (Keycloak writes an event when its transaction commits, after the
 * `time` it carries) wait apart, sorted by when they become visible, and are merged in when
 * the clock reaches that moment, so visibility costs nothing per request for settled events.
 */
export class StreamEventStore {
  private readonly entries: Entry[] = [];
  private pending: Pending[] = [];
  private readonly random: Random;
  private seq = 0;

  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  /** Adds events; with `visibleAt` later than `now` they stay hidden until then. */
  add(events: readonly MpasEvent[], now: number, visibleAt?: number): void {
    for (const event of events) {
      if (typeof event?.time !== 'number' || !Number.isInteger(event.time) || event.time < 0) {
        throw new SimulatorUsageError(`add: every event needs an integer 'time' >= 0 (epoch ms), got ${JSON.stringify(event?.time)}`);
      }
    }
    if (visibleAt !== undefined && visibleAt > now) {
      for (const event of events) this.insertPending({ event, visibleAt });
      return;
    }
    this.insertVisible(events);
  }

  /** The events visible at `now` that match the query, in the query's order. */
  query(query: StoreQuery, now: number): MpasEvent[] {
    this.promote(now);
    const lo = query.from === undefined ? 0 : this.lowerBound(query.from);
    const hi = query.to === undefined ? this.entries.length : this.upperBound(query.to);
    if (hi <= lo || query.max <= 0) return [];
    const out: MpasEvent[] = [];
    if (!query.matches) {
      // No filter: the offset is plain index arithmetic inside [lo, hi).
      if (query.order === 'asc') {
        for (let i = lo + query.first; i < hi && out.length < query.max; i += 1) out.push((this.entries[i] as Entry).event);
      } else {
        for (let i = hi - 1 - query.first; i >= lo && out.length < query.max; i -= 1) out.push((this.entries[i] as Entry).event);
      }
      return out;
    }
    let skip = query.first;
    const step = query.order === 'asc' ? 1 : -1;
    for (let i = query.order === 'asc' ? lo : hi - 1; i >= lo && i < hi && out.length < query.max; i += step) {
      const event = (this.entries[i] as Entry).event;
      if (!query.matches(event)) continue;
      if (skip > 0) skip -= 1;
      else out.push(event);
    }
    return out;
  }

  /** How many events are visible at `now`. */
  count(now: number): number {
    this.promote(now);
    return this.entries.length;
  }

  /** How many events wait for their late commit. */
  pendingCount(): number {
    return this.pending.length;
  }

  private insertPending(item: Pending): void {
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.pending[mid] as Pending).visibleAt <= item.visibleAt) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, item);
  }

  /** Moves every pending event whose commit time has come into the visible set. */
  private promote(now: number): void {
    let ready = 0;
    while (ready < this.pending.length && (this.pending[ready] as Pending).visibleAt <= now) ready += 1;
    if (ready === 0) return;
    const promoted = this.pending.slice(0, ready).map((item) => item.event);
    this.pending = this.pending.slice(ready);
    this.insertVisible(promoted);
  }

  private insertVisible(events: readonly MpasEvent[]): void {
    const fresh = events.map((event): Entry => ({ event, time: event.time, tie: this.random.uint32(), seq: this.seq++ }));
    if (fresh.length > BULK_INSERT) {
      fresh.sort(compare);
      const last = this.entries[this.entries.length - 1];
      // Events usually arrive newer than everything stored: then appending keeps the order.
      const overlaps = last !== undefined && compare(last, fresh[0] as Entry) > 0;
      for (const entry of fresh) this.entries.push(entry);
      if (overlaps) this.entries.sort(compare);
      return;
    }
    for (const entry of fresh) {
      let lo = 0;
      let hi = this.entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compare(this.entries[mid] as Entry, entry) < 0) lo = mid + 1;
        else hi = mid;
      }
      this.entries.splice(lo, 0, entry);
    }
  }

  /** First index whose time is >= `time`. */
  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is > `time`. */
  private upperBound(time: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
