import type { KeyedEvent } from './keyed-event.js';

/**
 * Orders a chunk by time, then key. Keycloak orders by time only, so equal times come back in
 * whatever order the database picks, and it may pick another one for the next query; sorted by
 * key as well, a chunk read twice from the same events is the same chunk (same batch id).
 */
export function byTimeThenKey(a: KeyedEvent, b: KeyedEvent): number {
  return a.event.time - b.event.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** What the walk does next with the events it read above its cursor. */
export type ChunkDecision =
  /** Deliver these (every one of their milliseconds whole); `rest` says whether more remain. */
  | { kind: 'deliver'; events: KeyedEvent[]; rest: boolean }
  /** The millisecond `time` reaches past what was read: read it whole before going on. */
  | { kind: 'read-millisecond'; time: number };

/**
 * The next chunk of a walk: the oldest `pageSize` events of `ascending` (the events not yet
 * delivered, sorted with {@link byTimeThenKey}), cut only where the time changes. Events of one
 * millisecond are never split across chunks by what one query happened to return: a query that
 * cuts a millisecond returns an arbitrary part of it, and another query another part.
 *
 * `lastComplete` says whether the newest millisecond in `ascending` is whole (the read reached
 * past it, or reached the newest event there is); when it is not, that millisecond is never
 * delivered from this read. A millisecond holding more than `pageSize` events comes back whole
 * (the caller delivers it in pieces) or, when it may not be whole, as `read-millisecond`.
 */
export function nextChunk(ascending: readonly KeyedEvent[], pageSize: number, lastComplete: boolean): ChunkDecision {
  const newest = ascending.at(-1);
  if (!newest) return { kind: 'deliver', events: [], rest: false };
  if (ascending.length <= pageSize && lastComplete) return { kind: 'deliver', events: [...ascending], rest: false };
  const taken = ascending.slice(0, pageSize);
  const cutTime = taken.at(-1)!.event.time;
  const continues = ascending.length > taken.length ? ascending[taken.length]!.event.time === cutTime : !lastComplete;
  if (!continues) return { kind: 'deliver', events: taken, rest: ascending.length > taken.length };
  const whole = taken.filter((item) => item.event.time < cutTime);
  if (whole.length > 0) return { kind: 'deliver', events: whole, rest: true };
  // The first millisecond alone fills the chunk: whole, if the read reached past it.
  if (cutTime < newest.event.time || lastComplete) {
    const millisecond = ascending.filter((item) => item.event.time === cutTime);
    return { kind: 'deliver', events: millisecond, rest: millisecond.length < ascending.length };
  }
  return { kind: 'read-millisecond', time: cutTime };
}
