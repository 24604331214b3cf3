import { formatKind } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import type { OutboundEvent } from '../sink.js';

/** Datadog's reserved attributes sent with every log (how Datadog files and parses it). */
export interface DatadogMetadata {
  /** `ddsource`: picks the log pipeline. */
  source: string;
  service: string;
  hostname?: string | undefined;
  /** `ddtags`: comma-separated `key:value` tags. */
  tags?: string | undefined;
}

/**
 * One log entry, as text. A JSON payload (the envelope) goes in as the entry itself, its
 * members after the reserved ones, without being parsed: Datadog reads the envelope's
 * `timestamp` as the log date. A CEF line becomes `message`, with the event time as `timestamp`.
 */
export function encodeDatadogLog(event: OutboundEvent, format: FormatName, metadata: DatadogMetadata): string {
  let head = `{"ddsource":${JSON.stringify(metadata.source)},"service":${JSON.stringify(metadata.service)}`;
  if (metadata.hostname !== undefined) head += `,"hostname":${JSON.stringify(metadata.hostname)}`;
  if (metadata.tags !== undefined) head += `,"ddtags":${JSON.stringify(metadata.tags)}`;
  const body = event.payload.trimStart();
  // A formatter's JSON is always an object; anything else is kept whole as the message, never thrown.
  if (formatKind(format) === 'line' || !body.startsWith('{')) return `${head},"timestamp":${JSON.stringify(new Date(event.time).toISOString())},"message":${JSON.stringify(event.payload)}}`;
  const rest = body.slice(1).trimStart();
  return rest.startsWith('}') ? `${head}}` : `${head},${rest}`;
}

/** The body of one request: a JSON array of log entries. */
export function encodeDatadogBody(events: readonly OutboundEvent[], format: FormatName, metadata: DatadogMetadata): string {
  return '[' + events.map((event) => encodeDatadogLog(event, format, metadata)).join(',') + ']';
}

/** The framed size of one entry (plus its comma or bracket), in UTF-8 bytes, for batching. */
export function datadogLogBytes(event: OutboundEvent, format: FormatName, metadata: DatadogMetadata): number {
  return Buffer.byteLength(encodeDatadogLog(event, format, metadata), 'utf8') + 1;
}
