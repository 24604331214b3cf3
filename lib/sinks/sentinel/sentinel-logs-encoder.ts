import { formatKind } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import type { OutboundEvent } from '../sink.js';

/**
 * One record for the data collection rule's stream: `TimeGenerated` (the event's time, the
 * column Log Analytics files it under), `EventType` (`user-event` / `admin-event`), `Realm`,
 * `Stream`, `EventId` (the event key) and either `Event`, the envelope's event as a dynamic
 * column (`json`), or `Message`, the CEF line (`cef`). A JSON payload that is not an envelope is
 * kept whole as `Message` rather than thrown away.
 */
export function encodeSentinelRecord(event: OutboundEvent, format: FormatName): string {
  const head =
    `{"TimeGenerated":"${new Date(event.time).toISOString()}","EventType":"${event.stream === 'user' ? 'user-event' : 'admin-event'}",` +
    `"Realm":${JSON.stringify(event.realm)},"Stream":"${event.stream}","EventId":${JSON.stringify(event.key)}`;
  const inner = formatKind(format) === 'document' ? envelopeEvent(event.payload) : undefined;
  return inner === undefined ? `${head},"Message":${JSON.stringify(event.payload)}}` : `${head},"Event":${JSON.stringify(inner)}}`;
}

function envelopeEvent(payload: string): object | undefined {
  try {
    const envelope = JSON.parse(payload) as { event?: unknown };
    return typeof envelope.event === 'object' && envelope.event !== null ? envelope.event : undefined;
  } catch {
    return undefined;
  }
}
