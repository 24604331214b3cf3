import type { MpasEvent, Stream } from '../mpas/event-schemas.js';
import type { Formatter } from './formatter.js';

/** The seed's `eventType` for each stream. */
export type EnvelopeEventType = 'user-event' | 'admin-event';

/**
 * The document a SIEM receives for one event, exactly the seed's samples:
 * `{"timestamp": "2025-02-12T19:27:48.633Z", "eventType": "admin-event", "event": {...}}`.
 */
export interface JsonEnvelope {
  /** ISO-8601 of `event.time`, with milliseconds and `Z`. */
  timestamp: string;
  eventType: EnvelopeEventType;
  /** The (already redacted) event, its members in the order MPAS sent them. */
  event: MpasEvent;
}

/** Wraps an event in the seed's envelope; key order is the seed's: timestamp, eventType, event. */
export function toEnvelope(event: MpasEvent, stream: Stream): JsonEnvelope {
  return {
    timestamp: new Date(event.time).toISOString(),
    eventType: stream === 'user' ? 'user-event' : 'admin-event',
    event,
  };
}

/** The `json` format: one compact envelope document per event. */
export const jsonEnvelopeFormatter: Formatter = {
  format: 'json',
  encode(event, context) {
    return JSON.stringify(toEnvelope(event, context.stream));
  },
};
