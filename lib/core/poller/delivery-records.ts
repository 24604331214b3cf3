import { createHash } from 'node:crypto';
import type { StreamKey } from '../cursor/cursor-store.js';

/**
 * What the first pass delivered in one chunk, kept for the look-back while the chunk is young
 * (newer than the window end minus the look-back window when it was read). The look-back reads
 * the same range again later and delivers what it finds that is not in here: an event that
 * became visible only after the first pass had read past its time.
 */
export interface DeliveryRecord {
  stream: StreamKey;
  /** The chunk's number in its stream (`StreamPosition.seq`). */
  seq: number;
  /** The stream's cursor time before the chunk: the range it passed starts here. */
  from: number;
  /** The time of the chunk's newest event. */
  to: number;
  /** {@link deliveredKeyHash} of each event key of the chunk. */
  keys: string[];
  /** The lease's fence of the writer: a record is never replaced by an older fence's. */
  fence: number;
}

/**
 * Where delivery records rest (DynamoDB on AWS, a directory of the state directory locally).
 * Records are written before the chunk's commit and read by seq; each outlives restarts and
 * deploys until the look-back is done with it.
 */
export interface DeliveryRecordStore {
  /** Stores a record, unless one of a newer fence already holds its seq. */
  put(record: DeliveryRecord, expiresAt: number): Promise<void>;
  /** The records of `stream` with `fromSeq <= seq <= toSeq` that exist, in seq order. */
  get(stream: StreamKey, fromSeq: number, toSeq: number): Promise<DeliveryRecord[]>;
  /** Drops the records of `stream` below `seq` (the look-back is done with them), where the store can. */
  prune(stream: StreamKey, belowSeq: number): Promise<void>;
}

/**
 * 8 bytes of SHA-256 of an event key, base64url (11 characters): a record keeps a thousand
 * events in about 12 KB instead of 40, and two keys of one look-back window share a hash with
 * odds of 2^-64 per pair.
 */
export function deliveredKeyHash(key: string): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('base64url');
}

/** A time range the first pass read while it was young, inclusive at both ends. */
export interface YoungRange {
  from: number;
  to: number;
}

/**
 * The ranges the look-back may deliver late events from, given the records of the chunks from
 * `lookbackTime` on (`records` in seq order, `firstSeq` the look-back's next chunk number). A
 * chunk without a record was old when it was read (or its record expired): late events in the
 * range it passed are out of the look-back's reach, and delivering them would repeat what that
 * chunk delivered, so that range is skipped. Between two consecutive recorded chunks, and from
 * the look-back's time up to its next chunk when that one is recorded, the first pass read at
 * the same young time: those ranges count too.
 */
export function youngRanges(lookbackTime: number, firstSeq: number, records: readonly DeliveryRecord[]): YoungRange[] {
  const ranges: YoungRange[] = [];
  let previousTo = lookbackTime;
  let previousSeq = firstSeq - 1;
  for (const record of records) {
    const continuous = record.seq === previousSeq + 1;
    // After a chunk without a record, the millisecond this one starts at was that chunk's last:
    // its events were delivered, and without the record nothing says which, so it is skipped.
    ranges.push({ from: continuous ? Math.min(previousTo, record.from) : record.from + 1, to: record.to });
    previousTo = record.to;
    previousSeq = record.seq;
  }
  return ranges;
}

/** Whether `time` lies in one of `ranges`. */
export function inYoungRange(ranges: readonly YoungRange[], time: number): boolean {
  return ranges.some((range) => time >= range.from && time <= range.to);
}
