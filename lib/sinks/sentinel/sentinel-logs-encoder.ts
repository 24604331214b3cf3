import { formatKind } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import type { OutboundEvent } from '../sink.js';

/**
 * One record for the data collection rule's stream: `TimeGenerated` (the event's time, the
 * column Log Analytics files it under), `EventType` (`user-event` / `admin-event`), `Realm`,
 * `Stream`, `EventId` (the event key) and either `Event`, the envelope's event as a dynamic
 * column, or `Message`, a line (`cef`). A JSON document that is not the envelope (`ecs`) is the
 * `Event` itself; a payload that is no JSON object is kept whole as `Message` rather than thrown away.
 */
export function encodeSentinelRecord(event: OutboundEvent, format: FormatName): string {
  const head =
    `{"TimeGenerated":"${new Date(event.time).toISOString()}","EventType":"${event.stream === 'user' ? 'user-event' : 'admin-event'}",` +
    `"Realm":${JSON.stringify(event.realm)},"Stream":"${event.stream}","EventId":${JSON.stringify(event.key)}`;
  const inner = formatKind(format) === 'document' ? eventColumn(event.payload) : undefined;
  return inner === undefined ? `${head},"Message":${JSON.stringify(event.payload)}}` : `${head},"Event":${JSON.stringify(inner)}}`;
}

function eventColumn(payload: string): object | undefined {
  try {
    const document = JSON.parse(payload) as { eventType?: unknown; event?: unknown } | null;
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
    const isEnvelope = document.eventType === 'user-event' || document.eventType === 'admin-event';
    // The envelope's own members repeat the columns; any other document is the event.
    if (!isEnvelope) return document;
    return typeof document.event === 'object' && document.event !== null ? document.event : undefined;
  } catch {
    return undefined;
  }
}
