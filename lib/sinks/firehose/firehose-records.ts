import type { OutboundEvent } from '../sink.js';
import type { SiemLimits } from '../siem-limits.js';

/**
 * PutRecordBatch's limits, which AWS says cannot be changed: 500 records and 4 MiB per call,
 * 1,000 KiB per record (before the base64 of the wire).
 */
export const FIREHOSE_LIMITS: SiemLimits = { name: 'Firehose', maxEvents: 500, maxRequestBytes: 4 * 1024 * 1024, maxEventBytes: 1_000 * 1024 };

/**
 * One record: the formatted event and a newline. Firehose concatenates records as they come
 * (into one S3 object, one HTTP endpoint batch), so the newline keeps one event per line.
 */
export function firehoseRecordData(event: OutboundEvent): Uint8Array {
  return Buffer.from(`${event.payload}\n`, 'utf8');
}

/** A record's size as Firehose counts it: its data's bytes. */
export function firehoseRecordBytes(event: OutboundEvent): number {
  return Buffer.byteLength(event.payload, 'utf8') + 1;
}

/** Record error codes worth sending the record again (the codes PutRecordBatch documents for a record are both transient). */
export const RETRYABLE_RECORD_ERRORS: ReadonlySet<string> = new Set(['ServiceUnavailableException', 'InternalFailure']);
