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
  pages: number;
  late: number;
  newestTime?: number;
}

const sumOf = (tallies: readonly StreamTally[], field: 'events' | 'late'): number => tallies.reduce((total, tally) => total + tally[field], 0);

/**
 * The poller's telemetry (namespace and `tenant` dimension are the Metrics instance's), published
 * once at the poll's end as one EMF document. Every custom metric and dimension set is billed for
 * each hour it is written, per tenant, so only what an alarm or the operator dashboard
 * (infra/constructs/operator-dashboard.ts) reads is written, summed over realms and streams, and
 * only when it says something: an idle poll writes none (the log line names the streams). Auth
 * failures (403, refused credentials) are logged at error, because an alarm hangs on them; every
 * other stream failure at warn.
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

  /** `source` with every page it serves counted for the poll's log line (the poll loop itself only reports chunks). */
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
   * expiration (lib/aws/cursor-expiry.ts); alarmed (by its maximum over the tenant) before
   * Keycloak deletes events that were never read. A stream caught up reports 0, which is not written.
   */
  cursorExpiry(_realm: string, _stream: Stream, percent: number): void {
    if (percent > 0) this.metrics.addMetric('CursorAgeOfExpiration', MetricUnit.Percent, percent);
  }

  /** Publishes everything gathered, and the one log line that sums the invocation up. */
  publish(outcome: PollOutcome): void {
    const now = this.clock.now();
    const tallies = [...this.tallies.values()];
    const read = sumOf(tallies, 'events');
    const late = sumOf(tallies, 'late');
    // The age of the newest event this poll read: a quiet stream (nothing read) is not behind.
    const newest = Math.max(...tallies.filter((tally) => tally.events > 0 && tally.newestTime !== undefined).map((tally) => tally.newestTime!));
    if (read > 0) this.metrics.addMetric('EventsRead', MetricUnit.Count, read);
    if (Number.isFinite(newest)) this.metrics.addMetric('LagSeconds', MetricUnit.Seconds, Math.max(0, (now - newest) / 1000));
    // Only when there were some: they are news about the MPAS (long transactions, clocks apart).
    if (late > 0) this.metrics.addMetric('LateEvents', MetricUnit.Count, late);
    for (const tally of tallies) {
      if (tally.late > 0) this.logger.warn('the look-back delivered events MPAS stored after the first pass had read past their time', { realm: tally.realm, stream: tally.stream, lateEvents: tally.late });
    }
    for (const failure of this.failures) emitMetric(this.metrics, { status: failure.status }, 'MpasErrors', MetricUnit.Count, 1);
    if (this.leaseBusyCount > 0) this.metrics.addMetric('LeaseBusy', MetricUnit.Count, this.leaseBusyCount);
    if (this.leaseLostCount > 0) this.metrics.addMetric('LeaseLost', MetricUnit.Count, this.leaseLostCount);

    const events = 'events' in outcome ? outcome.events : 0;
    const failed = 'failures' in outcome ? outcome.failures.map(({ realm, stream }) => `${realm}#${stream}`) : [];
    const streams = Object.fromEntries(tallies.filter((tally) => tally.events > 0).map((tally) => [`${tally.realm}#${tally.stream}`, tally.events]));
    // `failed`: MPAS gave nothing this poll, an outage or refused credentials: worth an error line.
    const level = outcome.status === 'failed' ? 'error' : failed.length > 0 ? 'warn' : 'info';
    const pages = tallies.reduce((total, tally) => total + tally.pages, 0);
    this.logger[level]('poll finished', { status: outcome.status, events, pages, ...(events > 0 ? { eventsByStream: streams } : {}), failedStreams: failed });
  }

  private tally(realm: string, stream: Stream): StreamTally {
    const key = `${realm}#${stream}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { realm, stream, events: 0, pages: 0, late: 0 };
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
