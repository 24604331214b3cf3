import type { StreamPosition } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';

/**
 * What a poll reports as it goes, for metrics and logs. Every method is optional; the Lambda
 * maps them to EMF metrics, the local runner to its counters and health endpoint.
 */
export interface PollObserver {
  /** Another instance holds the lease: this one exits quietly. */
  leaseBusy?(holder: string): void;
  /** The lease was taken over mid-run: this instance stopped without committing. */
  leaseLost?(): void;
  /** `events` were enqueued for a realm's stream and its position committed. */
  committed?(realm: string, stream: Stream, events: number, position: StreamPosition): void;
  /**
   * The look-back found `events` events that the first pass had not seen (committed late by
   * Keycloak: a long transaction, or clocks apart) and delivered them.
   */
  lateEvents?(realm: string, stream: Stream, events: number): void;
  /** A stream could not be read this run; its cursor did not move. */
  streamFailed?(realm: string, stream: Stream, error: Error): void;
}

/** Ignores everything. */
export const silentPollObserver: PollObserver = {};
