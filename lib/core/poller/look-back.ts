import type { ApiMode, LookbackPosition, StreamPosition } from '../cursor/cursor-store.js';
import { deliveredKeyHash, inYoungRange, youngRanges } from './delivery-records.js';
import type { DeliveryRecord, DeliveryRecordStore } from './delivery-records.js';
import { legacyEventKey } from '../events/legacy-key.js';
import type { KeyedEvent } from './keyed-event.js';
import type { ReadParameters } from '../cursor/cursor-store.js';

/** The look-back's settings, as pollTenant takes them. */
export interface LookbackSettings {
  /** How far behind the first pass's window end the look-back reads; 0 turns it off. */
  windowMs: number;
  records: DeliveryRecordStore;
}

/** A delivery record as the walk knows it: the stream and the writer's fence are added at the commit. */
export type FirstPassRecord = Omit<DeliveryRecord, 'stream' | 'fence'>;

/** How long a delivery record is kept at the least, whatever the look-back window. */
const MIN_RECORD_RETENTION_MS = 86_400_000;

/** Epoch ms until which a record written at `now` must be kept: the look-back may lag behind (an outage). */
export function recordExpiry(now: number, windowMs: number): number {
  return now + Math.max(MIN_RECORD_RETENTION_MS, windowMs * 10);
}

/** The look-back position of a stream that never had one: nothing is pending before its cursor. */
export function initialLookback(position: StreamPosition): LookbackPosition {
  return { time: position.time, boundary: [...position.boundary], seq: (position.seq ?? 0) + 1, ...(position.mode ? { mode: position.mode } : {}) };
}

/**
 * The position the first pass commits after `chunk`, with its chunk number and the look-back
 * state it implies, and the delivery record to write before that commit when the chunk is young
 * (its newest event within the look-back window of the read's end): the look-back will read its
 * range again. An old chunk needs none: late events that far back are beyond the look-back, and
 * when nothing is pending before it the look-back's cursor moves past it at once (a catch-up
 * costs the look-back nothing).
 */
export function firstPassCommit(
  last: StreamPosition,
  chunk: readonly KeyedEvent[],
  next: StreamPosition,
  read: ReadParameters,
  windowMs: number,
): { position: StreamPosition; record?: FirstPassRecord } {
  const seq = (last.seq ?? 0) + (chunk.length > 0 ? 1 : 0);
  const lookback = last.lookback ?? initialLookback(last);
  const youngFrom = read.windowEnd - windowMs;
  const young = windowMs > 0 && next.time >= youngFrom;
  const caughtUp = lookback.seq === seq + (chunk.length > 0 ? 0 : 1);
  const position: StreamPosition = { ...next, seq, lookback };
  if (!young) {
    // Caught up, the look-back's cursor is the stream's own (initialLookback): not stored twice,
    // unless it carries a count of late events.
    if (caughtUp && lookback.late) position.lookback = { ...initialLookback({ ...next, seq }), late: lookback.late };
    else if (caughtUp) delete position.lookback;
    return { position };
  }
  if (chunk.length === 0) return { position };
  return { position, record: { seq, from: last.time, to: next.time, keys: chunk.map((item) => deliveredKeyHash(item.key)) } };
}

/**
 * What the look-back compares its reads with: the records of the chunks it has not finished,
 * the ranges the first pass read while young, and the keys it delivered there.
 */
export class LookbackLedger {
  private readonly ranges;
  private readonly delivered: Set<string>;

  constructor(
    private readonly lookback: LookbackPosition,
    private readonly records: readonly DeliveryRecord[],
  ) {
    this.ranges = youngRanges(lookback.time, lookback.seq, records);
    this.delivered = new Set(records.flatMap((record) => record.keys));
  }

  /** The events of `chunk` that the first pass read past while young and did not deliver. */
  late(chunk: readonly KeyedEvent[]): KeyedEvent[] {
    return chunk.filter((item) => inYoungRange(this.ranges, item.event.time) && !this.wasDelivered(item));
  }

  /**
   * The look-back position after reading up to `position` in `mode`: records ending before it
   * are done.
   */
  next(position: StreamPosition, mode: ApiMode, late: number): LookbackPosition {
    const pending = this.records.find((record) => record.to >= position.time);
    const seq = pending ? pending.seq : Math.max(this.lookback.seq, (this.records.at(-1)?.seq ?? this.lookback.seq - 1) + 1);
    return { time: position.time, boundary: [...position.boundary], seq, mode, late };
  }

  private wasDelivered(item: KeyedEvent): boolean {
    if (this.delivered.has(deliveredKeyHash(item.key))) return true;
    // Delivered before an upgrade in place, under the hash key of the server that sent no id.
    return item.key === item.event.id && this.delivered.has(deliveredKeyHash(legacyEventKey(item.event)));
  }
}
