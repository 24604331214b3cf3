import type { Stream } from '../events/event-schemas.js';
import type { SinkError } from '../../sinks/sink.js';

/** What the forwarder reports, for metrics (EMF on Lambda, counters locally). All optional. */
export interface ForwardObserver {
  delivered?(realm: string, stream: Stream, count: number, newestEventTime: number): void;
  filtered?(realm: string, stream: Stream, count: number): void;
  deadLettered?(reason: DeadLetterReason, count: number): void;
  sinkRequest?(latencyMs: number): void;
  sinkError?(error: SinkError): void;
}

/** Why events were dead-lettered, as a short label fit for a metric dimension. */
export type DeadLetterReason = 'invalid-message' | 'invalid-event' | 'rejected-by-siem' | 'format-failed';

/** Ignores everything. */
export const silentForwardObserver: ForwardObserver = {};
