import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { OutboundEvent } from '../sink.js';
import type { SiemLimits } from '../siem-limits.js';

/**
 * PutEvents' limits: 10 entries per call, and 256 KB for one entry and for the entries of one
 * call together, sized the way EventBridge sizes them (eventBridgeEntryBytes).
 */
export const EVENTBRIDGE_LIMITS: SiemLimits = { name: 'EventBridge', maxEvents: 10, maxRequestBytes: 262_144, maxEventBytes: 262_144 };

/** What every entry carries beside its event. */
export interface EntryTemplate {
  bus: string;
  source: string;
  userDetailType: string;
  adminDetailType: string;
  resources: readonly string[];
}

/** The PutEvents entry of one event: `Detail` is the formatted JSON document, `Time` the event's time. */
export function eventBridgeEntry(event: OutboundEvent, template: EntryTemplate): PutEventsRequestEntry {
  return {
    EventBusName: template.bus,
    Source: template.source,
    DetailType: event.stream === 'admin' ? template.adminDetailType : template.userDetailType,
    Detail: event.payload,
    Time: new Date(event.time),
    ...(template.resources.length === 0 ? {} : { Resources: [...template.resources] }),
  };
}

/**
 * An entry's size as EventBridge counts it against its limits ("Calculating PutEvents event
 * entry size" in its user guide): 14 bytes for `Time`, plus the UTF-8 bytes of `Source`,
 * `DetailType`, `Detail` and each of `Resources`; the bus name is not counted.
 */
export function eventBridgeEntryBytes(event: OutboundEvent, template: EntryTemplate): number {
  const detailType = event.stream === 'admin' ? template.adminDetailType : template.userDetailType;
  let bytes = 14 + Buffer.byteLength(template.source, 'utf8') + Buffer.byteLength(detailType, 'utf8') + Buffer.byteLength(event.payload, 'utf8');
  for (const resource of template.resources) bytes += Buffer.byteLength(resource, 'utf8');
  return bytes;
}

/** Entry error codes worth sending the entry again: EventBridge throttled it or failed inside. */
export const RETRYABLE_ENTRY_ERRORS: ReadonlySet<string> = new Set(['ThrottlingException', 'InternalException']);
