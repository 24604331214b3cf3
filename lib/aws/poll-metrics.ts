import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { StreamPosition } from '../core/cursor/cursor-store.js';
import {
  MpasAuthError,
  MpasForbiddenError,
  MpasNotFoundError,
  MpasRequestRejectedError,
  MpasResponseError,
  MpasUnavailableError,
} from '../sources/mpas/errors.js';
import type { Stream } from '../core/events/event-schemas.js';
import type { EventPageQuery, EventSource } from '../core/poller/event-source.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';
import { emitMetric } from './emit-metric.js';

interface StreamTally {
  realm: string;
  stream: Stream;
  events: number;
  batches: number;
  pages: number;
  late: number;
  newestTime?: number;
}

/**
 * The poller's telemetry (namespace and `tenant` dimension are the Metrics instance's): counts
 * gathered during the poll and published once at its end as EMF, per realm and stream where
 * the number differs by stream (each of those written at once). Auth failures (403, refused credentials) are logged at error,
 * because an alarm hangs on them; every other stream failure at warn.
 */
export class PollMetrics implements PollObserver {
  private readonly tallies = new Map<string, StreamTally>();
  private leaseBusyCount = 0;
  private leaseLostCount = 0;
  private readonly failures: Array<{ realm: string; stream: Stream; status: string }> = [];

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** `source` with every page it serves counted (the poll loop itself only reports chunks). */
  countingPages(source: EventSource): EventSource {
    return {
      apiMode: (realm, options) => source.apiMode(realm, options),
      ...(source.serverNow ? { serverNow: () => source.serverNow!() } : {}),
      getEvents: async (query: EventPageQuery, signal?: AbortSignal) => {
        const events = await source.getEvents(query, signal);
        this.tally(query.realm, query.stream).pages += 1;
        return events;
      },
    };
  }

  leaseBusy(holder: string): void {
    this.leaseBusyCount += 1;
    this.logger.info('another poller holds the lease; exiting', { holder });
  }

  leaseLost(): void {
    this.leaseLostCount += 1;
    this.logger.warn('the lease was taken over mid-run; stopped without committing more');
  }

  committed(realm: string, stream: Stream, events: number, position: StreamPosition): void {
    const tally = this.tally(realm, stream);
    tally.events += events;
    if (events > 0) tally.batches += 1;
    tally.newestTime = Math.max(tally.newestTime ?? position.time, position.time);
  }

  lateEvents(realm: string, stream: Stream, events: number): void {
    this.tally(realm, stream).late += events;
  }

  streamFailed(realm: string, stream: Stream, error: Error): void {
    const status = statusOf(error);
    this.failures.push({ realm, stream, status });
    const fields = { realm, stream, status, error: { name: error.name, message: error.message } };
    if (error instanceof MpasForbiddenError || error instanceof MpasAuthError) {
      this.logger.error('MPAS refused access: the poller cannot read this stream', { ...fields, alarm: 'mpas-auth' });
    } else {
      this.logger.warn('MPAS stream could not be read; its cursor did not move', fields);
    }
  }

  /**
   * `CursorAgeOfExpiration`: how old a stream's unread part is, in percent of its realm's event
   * expiration (lib/aws/cursor-expiry.ts), written at once; alarmed before Keycloak deletes
   * events that were never read.
   */
  cursorExpiry(realm: string, stream: Stream, percent: number): void {
    emitMetric(this.metrics, { realm, stream }, 'CursorAgeOfExpiration', MetricUnit.Percent, percent);
  }

  /** Publishes everything gathered, and the one log line that sums the invocation up. */
  publish(outcome: PollOutcome): void {
    const now = this.clock.now();
    for (const tally of this.tallies.values()) {
      const where = { realm: tally.realm, stream: tally.stream };
      emitMetric(this.metrics, where, 'EventsRead', MetricUnit.Count, tally.events);
      emitMetric(this.metrics, where, 'BatchesEnqueued', MetricUnit.Count, tally.batches);
      emitMetric(this.metrics, where, 'Pages', MetricUnit.Count, tally.pages);
      if (tally.newestTime !== undefined) emitMetric(this.metrics, where, 'LagSeconds', MetricUnit.Seconds, Math.max(0, (now - tally.newestTime) / 1000));
      // Only when there were some: they are news about the MPAS (long transactions, clocks apart).
      if (tally.late > 0) {
        emitMetric(this.metrics, where, 'LateEvents', MetricUnit.Count, tally.late);
        this.logger.warn('the look-back delivered events MPAS stored after the first pass had read past their time', { ...where, lateEvents: tally.late });
      }
    }
    for (const failure of this.failures) {
      emitMetric(this.metrics, { realm: failure.realm, stream: failure.stream, status: failure.status }, 'MpasErrors', MetricUnit.Count, 1);
      emitMetric(this.metrics, { realm: failure.realm, stream: failure.stream }, 'StreamFailures', MetricUnit.Count, 1);
    }
    this.metrics.addMetric('LeaseBusy', MetricUnit.Count, this.leaseBusyCount);
    this.metrics.addMetric('LeaseLost', MetricUnit.Count, this.leaseLostCount);

    const events = 'events' in outcome ? outcome.events : 0;
    const failed = 'failures' in outcome ? outcome.failures.map(({ realm, stream }) => `${realm}#${stream}`) : [];
    // `failed`: MPAS gave nothing this poll, an outage or refused credentials: worth an error line.
    const level = outcome.status === 'failed' ? 'error' : failed.length > 0 ? 'warn' : 'info';
    this.logger[level]('poll finished', { status: outcome.status, events, failedStreams: failed });
  }

  private tally(realm: string, stream: Stream): StreamTally {
    const key = `${realm}#${stream}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { realm, stream, events: 0, batches: 0, pages: 0, late: 0 };
      this.tallies.set(key, tally);
    }
    return tally;
  }
}

/** The HTTP status an MPAS failure came with, or a short label when there was none. */
export function statusOf(error: Error): string {
  if (error instanceof MpasForbiddenError) return '403';
  if (error instanceof MpasNotFoundError) return '404';
  if (error instanceof MpasAuthError || error instanceof MpasRequestRejectedError) return String(error.detail.status);
  if (error instanceof MpasUnavailableError) return error.lastStatus === undefined ? unreachableKind(error.detail.lastFailure) : String(error.lastStatus);
  if (error instanceof MpasResponseError) return 'invalid-body';
  return 'other';
}

/**
 * Why MPAS did not answer, as a dimension value: `timeout`, or the connection's error code
 * (`ECONNREFUSED`, `CERT_HAS_EXPIRED`...), else `unreachable`.
 */
export function unreachableKind(lastFailure: string | undefined): string {
  if (lastFailure?.startsWith('a timeout')) return 'timeout';
  return /^a connection failure \(([A-Z][A-Z0-9_]*):/.exec(lastFailure ?? '')?.[1] ?? 'unreachable';
}
