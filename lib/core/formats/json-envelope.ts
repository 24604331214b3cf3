import type { MpasEvent, Stream } from '../events/event-schemas.js';
import type { Formatter } from './formatter.js';

/** The seed's `eventType` for each stream. */
export type EnvelopeEventType = 'user-event' | 'admin-event';

/**
 * The document a SIEM receives for one event, exactly the original service's samples:
 * `{"timestamp": "2025-02-12T19:27:48.633Z", "eventType": "admin-event", "event": {...}}`.
 */
export interface JsonEnvelope {
  /** ISO-8601 of `event.time`, with milliseconds and `Z`. */
  timestamp: string;
  eventType: EnvelopeEventType;
  /** The (already redacted) event, its members in the order MPAS sent them. */
  event: MpasEvent;
}

/** Wraps an event in the original service's envelope; key order is the original service's: timestamp, eventType, event. */
export function toEnvelope(event: MpasEvent, stream: Stream): JsonEnvelope {
  return {
    timestamp: new Date(event.time).toISOString(),
    eventType: stream === 'user' ? 'user-event' : 'admin-event',
    event,
  };
}

// The envelope's fixed members, written once: the timestamp is ASCII digits and punctuation and the
// event type a constant, so only the event itself needs JSON.stringify.
const USER_MEMBERS = '","eventType":"user-event","event":';
const ADMIN_MEMBERS = '","eventType":"admin-event","event":';

// The largest time a Date holds (ECMAScript's limit); beyond it toISOString throws, as it must here.
const MAX_DATE_MS = 8.64e15;
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(time).toISOString()`, the date part built once per second: a batch's events are
 * mostly in the same few seconds, and formatting a Date costs as much as the rest of the envelope.
 */
export function isoTimestamp(time: number): string {
  if (!Number.isInteger(time) || time < 0 || time > MAX_DATE_MS) return new Date(time).toISOString();
  const second = Math.floor(time / 1000);
  if (second !== cachedSecond) {
    // "2025-02-12T19:27:48.000Z" without "000Z"; years past 9999 get toISOString's own +YYYYYY form.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const millis = time - second * 1000;
  return cachedPrefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + millis + 'Z';
}

/**
 * The `json` format: one compact envelope document per event, the same text as
 * `JSON.stringify(toEnvelope(event, stream))` without building the envelope object on the hot path.
 */
export const jsonEnvelopeFormatter: Formatter = {
  format: 'json',
  encode(event, context) {
    return '{"timestamp":"' + isoTimestamp(event.time) + (context.stream === 'user' ? USER_MEMBERS : ADMIN_MEMBERS) + JSON.stringify(event) + '}';
  },
};
