import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Stream } from '../core/events/event-schemas.js';
import type { DeadLetterReason } from '../core/forwarder/forward-observer.js';
import type { StreamPosition } from '../core/cursor/cursor-store.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';
import type { SinkError } from '../sinks/sink.js';
import type { RequestInfo } from '../sources/mpas/http-transport.js';
import { noResponseKind } from '../aws/forward-metrics.js';
import { statusOf } from '../aws/poll-metrics.js';
import type { Outage } from './failure-log.js';
import type { HealthReport } from './health-tracker.js';
import type { RunWatcher } from './metrics-observers.js';

/** Every metric's name starts with it (Prometheus' `<namespace>_` convention). */
export const METRICS_PREFIX = 'mpas_log_sync_';

/** What the registry reads at each scrape rather than counting. */
export interface RunMetricsSources {
  clock: Clock;
  /** Each stream's lag now (the status page's). */
  lags: () => ReadonlyArray<{ realm: string; stream: Stream; lagSeconds: number | null }>;
  /** What fails now (the run's failure log). */
  outages: () => readonly Outage[];
  health: () => HealthReport;
}

/**
 * The run's figures in the Prometheus text format, on one registry per run: the CloudWatch
 * metrics of the poller and forwarder Lambdas (lib/aws/poll-metrics.ts, forward-metrics.ts)
 * under Prometheus names and labels (docs/monitoring.md lists each and what it mirrors), the
 * requests that failed and were retried, the lease and health, and Node's process metrics.
 */
export class RunMetrics implements RunWatcher {
  readonly registry = new Registry();
  private readonly eventsRead: Counter<'realm' | 'stream'>;
  private readonly batchesEnqueued: Counter<'realm' | 'stream'>;
  private readonly pages: Counter<'realm' | 'stream'>;
  private readonly lateEventsTotal: Counter<'realm' | 'stream'>;
  private readonly streamFailures: Counter<'realm' | 'stream' | 'status'>;
  private readonly eventsDelivered: Counter<'realm' | 'stream'>;
  private readonly deliveredLag: Gauge<'realm' | 'stream'>;
  private readonly eventsFiltered: Counter<'realm' | 'stream'>;
  private readonly deadLetters: Counter<'reason'>;
  private readonly siemLatency: Histogram;
  private readonly siemErrors: Counter<'status'>;
  private readonly siemAuthErrors: Counter;
  private readonly failedAttempts: Counter<'side' | 'target'>;
  private readonly polls: Counter<'status'>;
  private readonly leaseBusyTotal: Counter;
  private readonly leaseLostTotal: Counter;
  private leaseHeld = 0;

  constructor(private readonly sources: RunMetricsSources) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
      new Counter({ name: METRICS_PREFIX + name, help, labelNames, registers });
    const byStream = ['realm', 'stream'] as const;
    this.eventsRead = counter('events_read_total', 'Events read from MPAS and committed (CloudWatch EventsRead).', byStream);
    this.batchesEnqueued = counter('batches_enqueued_total', 'Batches handed to the forwarder (CloudWatch BatchesEnqueued).', byStream);
    this.pages = counter('pages_total', 'Event pages MPAS served (CloudWatch Pages).', byStream);
    this.lateEventsTotal = counter('late_events_total', 'Events the look-back delivered late: MPAS stored them after the first pass read past their time (CloudWatch LateEvents).', byStream);
    this.streamFailures = counter('stream_failures_total', 'Polls in which a stream could not be read, by the MPAS status or failure kind (CloudWatch MpasErrors, StreamFailures).', [...byStream, 'status']);
    this.eventsDelivered = counter('events_delivered_total', 'Events the SIEM took, summed over routes (CloudWatch EventsDelivered).', byStream);
    this.eventsFiltered = counter('events_filtered_total', 'Events a route filter left out (CloudWatch EventsFiltered).', byStream);
    this.deadLetters = counter('events_dead_lettered_total', 'Events set aside in the dead-letter file, by reason (CloudWatch EventsDeadLettered).', ['reason']);
    this.siemErrors = counter('siem_errors_total', 'Failed SIEM requests, by HTTP status, timeout or connection error code (CloudWatch SiemErrors).', ['status']);
    this.siemAuthErrors = counter('siem_auth_errors_total', 'SIEM requests refused for our credentials, 401 or 403 (CloudWatch SiemAuthErrors).');
    this.failedAttempts = counter('failed_attempts_total', 'Failed requests that are retried: MPAS answers the transport retries (no answer, 429, 5xx) and failed SIEM requests, by side and target.', ['side', 'target']);
    this.polls = counter('polls_total', 'Polls, by how they ended (complete, partial, failed, budget-spent, stopped, lease-busy, lease-lost).', ['status']);
    this.leaseBusyTotal = counter('lease_busy_total', 'Polls that found the cursor lease held by another process (CloudWatch LeaseBusy).');
    this.leaseLostTotal = counter('lease_lost_total', 'Polls that lost the cursor lease mid-run (CloudWatch LeaseLost).');
    this.deliveredLag = new Gauge({
      name: `${METRICS_PREFIX}delivered_lag_seconds`,
      help: 'Seconds between the newest event of the last delivery and its delivery (CloudWatch DeliveredLagSeconds).',
      labelNames: byStream,
      registers,
    });
    this.siemLatency = new Histogram({
      name: `${METRICS_PREFIX}siem_request_duration_seconds`,
      help: 'SIEM request durations (CloudWatch SiemLatency).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => void): void => {
      new Gauge<L>({ name: METRICS_PREFIX + name, help, labelNames, registers, collect() { collect(this); } });
    };
    gauge('lag_seconds', 'Seconds since the newest moment up to which the stream is delivered: its newest committed event while it catches up, then the end of the last poll that read it to now minus the settle window (CloudWatch LagSeconds).', byStream, (lag) => {
      lag.reset();
      for (const { realm, stream, lagSeconds } of sources.lags()) if (lagSeconds !== null) lag.set({ realm, stream }, lagSeconds);
    });
    gauge('failing', '1 for each SIEM route or MPAS endpoint whose requests fail now, until one succeeds.', ['side', 'target'], (failing) => {
      failing.reset();
      for (const { side, name } of sources.outages()) failing.set({ side: side.toLowerCase(), target: name }, 1);
    });
    gauge('healthy', '1 when /health answers 200 (ok), 0 when it answers 503 (degraded).', [], (healthy) => healthy.set(sources.health().status === 'ok' ? 1 : 0));
    gauge('last_success_timestamp_seconds', 'When the last poll that read every stream up to now ended (Unix time); absent before one.', [], (last) => {
      last.reset();
      const at = sources.health().lastSuccessAt;
      if (at !== null) last.set(Date.parse(at) / 1000);
    });
    gauge('lease_held', '1 while this process holds the cursor lease (it polls under it), 0 once it was lost or found busy.', [], (held) => held.set(this.leaseHeld));
    collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
  }

  /** The scrape's body and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  pageRead(realm: string, stream: Stream): void {
    this.pages.inc({ realm, stream });
    this.leaseHeld = 1;
  }

  committed(realm: string, stream: Stream, events: number, _position: StreamPosition): void {
    this.eventsRead.inc({ realm, stream }, events);
    if (events > 0) this.batchesEnqueued.inc({ realm, stream });
  }

  lateEvents(realm: string, stream: Stream, events: number): void {
    this.lateEventsTotal.inc({ realm, stream }, events);
  }

  streamFailed(realm: string, stream: Stream, error: Error): void {
    this.streamFailures.inc({ realm, stream, status: statusOf(error) });
  }

  leaseBusy(): void {
    this.leaseBusyTotal.inc();
    this.leaseHeld = 0;
  }

  leaseLost(): void {
    this.leaseLostTotal.inc();
    this.leaseHeld = 0;
  }

  delivered(realm: string, stream: Stream, count: number, newestEventTime: number): void {
    this.eventsDelivered.inc({ realm, stream }, count);
    this.deliveredLag.set({ realm, stream }, Math.max(0, (this.sources.clock.now() - newestEventTime) / 1000));
  }

  filtered(realm: string, stream: Stream, count: number): void {
    this.eventsFiltered.inc({ realm, stream }, count);
  }

  deadLettered(reason: DeadLetterReason, count: number): void {
    this.deadLetters.inc({ reason }, count);
  }

  sinkRequest(latencyMs: number): void {
    this.siemLatency.observe(latencyMs / 1000);
  }

  sinkError(error: SinkError): void {
    this.siemErrors.inc({ status: error.status === undefined ? noResponseKind(error.reason) : String(error.status) });
    if (error.auth) this.siemAuthErrors.inc();
  }

  siemRequestFailed(route: string): void {
    this.failedAttempts.inc({ side: 'siem', target: `route ${route}` });
  }

  mpasRequest(info: RequestInfo): void {
    // The transport retries these; its other refusals (401, 403, 404) fail the stream at once.
    const { status } = info;
    const retried = status === undefined || status === 429 || status >= 500 || (status < 300 && info.failure !== undefined);
    if (retried) this.failedAttempts.inc({ side: 'mpas', target: `${info.route} endpoint` });
  }

  pollFinished(outcome: PollOutcome): void {
    this.polls.inc({ status: outcome.status });
    if (outcome.status !== 'lease-busy' && outcome.status !== 'lease-lost') this.leaseHeld = 1;
  }
}
