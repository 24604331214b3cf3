import { formatKind } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import type { OutboundEvent } from '../sink.js';

const OWN_TIMESTAMP = '{"@timestamp":';

/**
 * The document Elasticsearch stores for one event. A JSON payload (the envelope) gets
 * `@timestamp` (the envelope's own timestamp, which data streams require and Kibana sorts by)
 * inserted as its first member, without parsing the payload; a CEF line becomes
 * `{"@timestamp", "message"}`, the ECS field for a raw log line. A document that opens with its
 * own `@timestamp` (the `ecs` format) is stored as it is: a second one would be refused as a
 * duplicate field.
 */
export function elasticDocument(event: OutboundEvent, format: FormatName): string {
  const timestamp = JSON.stringify(new Date(event.time).toISOString());
  const body = event.payload.trimStart();
  // A formatter's JSON is always an object; anything else is kept whole as a message, never thrown.
  if (formatKind(format) === 'line' || !body.startsWith('{')) return `{"@timestamp":${timestamp},"message":${JSON.stringify(event.payload)}}`;
  if (body.startsWith(OWN_TIMESTAMP)) return body;
  const rest = body.slice(1).trimStart();
  return rest.startsWith('}') ? `{"@timestamp":${timestamp}}` : `{"@timestamp":${timestamp},${rest}`;
}

/**
 * The two NDJSON lines of one event: a `create` action naming the target and the event key as
 * `_id` (so a resend is refused as a duplicate, 409, instead of stored twice), then the
 * document. `create` is also the only operation a data stream accepts.
 */
export function bulkLines(event: OutboundEvent, format: FormatName, index: string): string {
  return `${JSON.stringify({ create: { _index: index, _id: event.key } })}\n${elasticDocument(event, format)}\n`;
}

/** The body of one `_bulk` request; every line, the last included, ends with `\n` as `_bulk` requires. */
export function encodeBulkBody(events: readonly OutboundEvent[], format: FormatName, index: string): string {
  return events.map((event) => bulkLines(event, format, index)).join('');
}

/** The framed size of one event's two lines, in UTF-8 bytes, for batching. */
export function bulkEventBytes(event: OutboundEvent, format: FormatName, index: string): number {
  return Buffer.byteLength(bulkLines(event, format, index), 'utf8');
}
