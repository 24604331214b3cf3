import type { Stream } from '../core/events/event-schemas.js';

/** One event on its way out: encoded by a formatter, with what a sink needs beside the text. */
export interface OutboundEvent {
  /** The event's key (see `eventKey`): an idempotent id where the SIEM supports one. */
  key: string;
  /** The event's `time`, epoch milliseconds. */
  time: number;
  realm: string;
  stream: Stream;
  /** The formatter's output: a JSON document (`json`) or a CEF line (`cef`). */
  payload: string;
}

/** A request that did not succeed, for metrics and alarms. */
export interface SinkError {
  /** HTTP status, when there was a response. */
  status?: number;
  reason: string;
  /** 401/403: the SIEM refused our credentials; alarm, and retry (the fix is a secret rotation). */
  auth: boolean;
}

/**
 * How a delivery went, event by event (indices into the input), classified the way Vector's
 * retry policies do: every event not listed in `retry` or `dropped` was accepted by the SIEM.
 */
export interface SinkDelivery {
  /** Events to send again later (429, 5xx, timeouts, connection errors, 401/403). */
  retry: number[];
  /** Events the SIEM refused for good (400, 413 after splitting, ...), with the reason. */
  dropped: Array<{ index: number; reason: string; status?: number }>;
  /** The longest `Retry-After` the SIEM asked for, in milliseconds. */
  retryAfterMs?: number;
  errors: SinkError[];
  /** Milliseconds each request took, for the latency metric. */
  latenciesMs: number[];
}

/** What `check` says of one destination: ok, or what is wrong and which setting fixes it. */
export interface SinkHealth {
  ok: boolean;
  detail: string;
}

/** How far a health check may go. */
export interface HealthcheckOptions {
  /**
   * Given when the operator allows storing something at the SIEM: delivers one test event through
   * the destination's pipeline to this sink. A sink that can prove its credentials with less
   * (the generic HTTPS sink posts an empty JSON array) does that instead.
   */
  sendTestEvent?: () => Promise<SinkHealth>;
}

/** A SIEM adapter. It never throws for a SIEM's answer: every outcome is in the `SinkDelivery`. */
export interface Sink {
  readonly name: string;
  deliver(events: readonly OutboundEvent[], signal?: AbortSignal): Promise<SinkDelivery>;
  /** Tries the destination for `check`; without `sendTestEvent` nothing is stored. Never throws. */
  healthcheck(options?: HealthcheckOptions): Promise<SinkHealth>;
  close(): Promise<void>;
}
