import { formatKind } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import type { OutboundEvent } from '../sink.js';

/** The HEC metadata sent with every event (the `/services/collector/event` envelope). */
export interface HecMetadata {
  source: string;
  sourcetype: string;
  index?: string | undefined;
  host?: string | undefined;
}

/** HEC's `time`: epoch seconds with the milliseconds as a decimal fraction (`1739388468.633`). */
export function hecTime(epochMs: number): string {
  const ms = Math.round(epochMs);
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String(ms - seconds * 1000).padStart(3, '0')}`;
}

/**
 * One HEC event object, as text. A JSON payload (the envelope) is already JSON and goes in
 * raw, so it is neither parsed nor re-serialised; a CEF line becomes a JSON string.
 */
export function encodeHecEvent(event: OutboundEvent, format: FormatName, metadata: HecMetadata): string {
  let text = `{"time":${hecTime(event.time)}`;
  if (metadata.host !== undefined) text += `,"host":${JSON.stringify(metadata.host)}`;
  text += `,"source":${JSON.stringify(metadata.source)},"sourcetype":${JSON.stringify(metadata.sourcetype)}`;
  if (metadata.index !== undefined) text += `,"index":${JSON.stringify(metadata.index)}`;
  const payload = formatKind(format) === 'document' ? event.payload : JSON.stringify(event.payload);
  return `${text},"event":${payload}}`;
}

/**
 * The body of one request: the event objects concatenated, one per line (HEC accepts any
 * whitespace between them, and lines keep a captured request readable).
 */
export function encodeHecBody(events: readonly OutboundEvent[], format: FormatName, metadata: HecMetadata): string {
  return events.map((event) => encodeHecEvent(event, format, metadata)).join('\n');
}

/** The framed size of one event (its object plus the separator), in UTF-8 bytes, for batching. */
export function hecEventBytes(event: OutboundEvent, format: FormatName, metadata: HecMetadata): number {
  return Buffer.byteLength(encodeHecEvent(event, format, metadata), 'utf8') + 1;
}
