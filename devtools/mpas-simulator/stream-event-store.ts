import type { MpasEvent } from '../../lib/core/events/event-schemas.js';
import { createRandom } from '../generators/random.js';
import type { Random } from '../generators/random.js';
import { SimulatorUsageError } from './errors.js';

/** One page request against a stream, after the HTTP layer has parsed and checked it. */
export interface StoreQuery {
  /** Inclusive lower bound on `time`. */
  from?: number;
  /** Inclusive upper bound on `time`. */
  to?: number;
  order: 'asc' | 'desc';
  first: number;
  /** Infinity for no limit (a negative `max`). */
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

/** How same-millisecond events are ordered: see StreamEventStore. */
export type StoreTieOrder = 'shuffled' | 'stable';

/** mulberry32-style mixing of two 32-bit values into one. */
function mix(a: number, b: number): number {
  let t = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
  t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
  return (t ^ (t >>> 16)) >>> 0;
}

/**
 * A keyed permutation of [0, n): a four-round Feistel network over the smallest even number of
 * bits that holds n, walked until it lands inside [0, n) (at most 4n/n tries on average). It maps
 * one position in O(1), so a page can take positions 900..999 of a 50,000-event tie group
 * without shuffling the other 49,900.
 */
export function tiePermutation(n: number, key: number): (position: number) => number {
  if (n <= 1) return (position) => position;
  let bits = 2;
  while (1 << bits < n) bits += 2;
  const half = bits / 2;
  const mask = (1 << half) - 1;
  const keys = [mix(key, 1), mix(key, 2), mix(key, 3), mix(key, 4)];
  const round = (value: number): number => {
    let left = value >>> half;
    let right = value & mask;
    for (const k of keys) {
      const next = (left ^ mix(right, k)) & mask;
      left = right;
      right = next;
    }
    return (left << half) | right;
  };
  return (position) => {
    let value = round(position);
    while (value >= n) value = round(value);
    return value;
  };
}

// Groups up to this size are shuffled whole (Fisher-Yates into a scratch array), which is
// cheaper than mapping each position through tiePermutation.
const SMALL_GROUP = 64;
const scratch = new Int32Array(SMALL_GROUP);

/** A permutation of [0, n) drawn from `key`: an array for small groups, a mapping for large ones. */
function groupOrder(n: number, key: number): Int32Array | ((position: number) => number) {
  if (n > SMALL_GROUP) return tiePermutation(n, key);
  let state = key | 1;
  for (let i = 0; i < n; i += 1) scratch[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    const swap = scratch[i] as number;
    scratch[i] = scratch[j] as number;
    scratch[j] = swap;
  }
  return scratch;
}

/**
 * The events of one realm's stream, kept sorted by `time` and, within one millisecond, by a
 * seeded random rank (never insertion order).
 *
 * Keycloak orders by time only (JpaEventQuery / JpaAdminEventQuery: `ORDER BY time` with
 * setFirstResult/setMaxResults), so rows of the same millisecond come back in whatever order
 * the database's plan gives, which may differ from one query to the next. With `shuffled`
 * (the default) every query draws its own order for each group of equal `time` it touches, and
 * the offset/limit window is cut from that order, as `ORDER BY time LIMIT/OFFSET` with unstable
 * ties is: two offset pages over the same millisecond can repeat one row and skip another. The
 * draws come from a seeded source, one per query, so the same seed and the same requests replay
 * the same orders. Only groups of more than one event that meet the served window cost anything.
 * With `stable`, ties keep their seeded rank on every query.
 *
 * Events committed late (Keycloak writes an event when its transaction commits, after the
 * `time` it carries) wait apart, sorted by when they become visible, and are merged in when
 * the clock reaches that moment, so visibility costs nothing per request for settled events.
 */
export class StreamEventStore {
  private readonly entries: Entry[] = [];
  private pending: Pending[] = [];
  private readonly random: Random;
  private readonly queryRandom: Random;
  private seq = 0;

  constructor(seed: number, private tieOrder: StoreTieOrder = 'shuffled') {
    this.random = createRandom(seed);
    this.queryRandom = createRandom(mix(seed >>> 0, 0x51ed27));
  }

  /** Switches between a new tie order per query and one fixed order. */
  setTieOrder(order: StoreTieOrder): void {
    this.tieOrder = order;
  }

  /**
   * Deletes every visible event older than `olderThan` (`time < olderThan`), as
   * JpaEventStoreProvider.clear(realm, olderThan) / clearAdmin do for the expired-events task.
   * Events still waiting for their commit at `now` are not in the table yet and stay.
   */
  removeOlderThan(olderThan: number, now: number): number {
    this.promote(now);
    const cut = this.lowerBound(olderThan);
    if (cut > 0) this.entries.splice(0, cut);
    return cut;
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
    if (this.tieOrder === 'shuffled') {
      const key = this.queryRandom.uint32();
      return query.matches ? this.filteredShuffled(query, lo, hi, key) : this.windowShuffled(query, lo, hi, key);
    }
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

  /**
   * No filter, shuffled ties: the window is positions [a, b) of this query's order, which is the
   * stored order with each equal-time group permuted (a group never straddles a time bound, so
   * [lo, hi) holds whole groups). Descending is that order reversed.
   */
  private windowShuffled(query: StoreQuery, lo: number, hi: number, key: number): MpasEvent[] {
    let a: number;
    let b: number;
    if (query.order === 'asc') {
      a = lo + query.first;
      b = Math.min(hi, a + query.max);
    } else {
      b = hi - query.first;
      a = Math.max(lo, b - query.max);
    }
    if (b <= a) return [];
    const entries = this.entries;
    const out: MpasEvent[] = new Array<MpasEvent>(b - a);
    let n = 0;
    let i = a;
    while (i < b) {
      const time = (entries[i] as Entry).time;
      let end = i + 1;
      while (end < b && (entries[end] as Entry).time === time) end += 1;
      const startsBefore = i === a && i > 0 && (entries[i - 1] as Entry).time === time;
      const endsAfter = end === b && end < entries.length && (entries[end] as Entry).time === time;
      if (end - i === 1 && !startsBefore && !endsAfter) {
        out[n++] = (entries[i] as Entry).event;
        i = end;
        continue;
      }
      // A tie group: permute all of it, then take the positions the window covers.
      const groupStart = startsBefore ? this.lowerBound(time) : i;
      const groupEnd = endsAfter ? this.upperBound(time) : end;
      const order = groupOrder(groupEnd - groupStart, mix(key, groupStart));
      for (let position = i - groupStart; position < end - groupStart; position += 1) {
        const offset = typeof order === 'function' ? order(position) : (order[position] as number);
        out[n++] = (entries[groupStart + offset] as Entry).event;
      }
      i = end;
    }
    if (query.order === 'desc') out.reverse();
    return out;
  }

  /** With a filter, shuffled ties: walk whole groups in this query's order, filter, then offset. */
  private filteredShuffled(query: StoreQuery, lo: number, hi: number, key: number): MpasEvent[] {
    const matches = query.matches as (event: MpasEvent) => boolean;
    const entries = this.entries;
    const out: MpasEvent[] = [];
    let skip = query.first;
    const take = (event: MpasEvent): boolean => {
      if (!matches(event)) return false;
      if (skip > 0) skip -= 1;
      else out.push(event);
      return out.length >= query.max;
    };
    const asc = query.order === 'asc';
    let i = asc ? lo : hi - 1;
    while (asc ? i < hi : i >= lo) {
      const time = (entries[i] as Entry).time;
      let other = i + (asc ? 1 : -1);
      while ((asc ? other < hi : other >= lo) && (entries[other] as Entry).time === time) other += asc ? 1 : -1;
      const groupStart = asc ? i : other + 1;
      const size = Math.abs(other - i);
      if (size === 1) {
        if (take((entries[i] as Entry).event)) return out;
      } else {
        const order = groupOrder(size, mix(key, groupStart));
        for (let position = 0; position < size; position += 1) {
          const offset = typeof order === 'function' ? order(position) : (order[position] as number);
          if (take((entries[groupStart + offset] as Entry).event)) return out;
        }
      }
      i = other;
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
