import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DeadLetterReason, ForwardObserver } from '../core/forwarder/forward-observer.js';
import type { Stream } from '../core/events/event-schemas.js';
import type { SinkError } from '../sinks/sink.js';
import type { Clock } from '../core/time/clock.js';
import { emitMetric } from './emit-metric.js';

/**
 * The forwarder's telemetry as EMF (namespace and `tenant` dimension are the Metrics
 * instance's). Every custom metric and dimension set is billed for each hour it is written, per
 * tenant, so only what an alarm or the operator dashboard (infra/constructs/operator-dashboard.ts)
 * reads is written: counts and lags summed or maximised over realms and streams go with the
 * invocation's metrics, flushed when it ends (one EMF document); the counts the dashboard splits
 * by reason or status (EventsDeadLettered, SiemErrors by status, or by `timeout` or connection
 * error code when there was no response) are written at once with that dimension. A SIEM refusing
 * our credentials is logged at error with `"alarm": "siem-auth"`, which the stack's metric filter
 * and alarm watch: nothing is delivered until a secret rotates.
 */
export class ForwardMetrics implements ForwardObserver {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  delivered(_realm: string, _stream: Stream, count: number, newestEventTime: number): void {
    if (count === 0) return;
    this.metrics.addMetric('EventsDelivered', MetricUnit.Count, count);
    this.metrics.addMetric('DeliveredLagSeconds', MetricUnit.Seconds, Math.max(0, (this.clock.now() - newestEventTime) / 1000));
  }

  filtered(_realm: string, _stream: Stream, count: number): void {
    if (count > 0) this.metrics.addMetric('EventsFiltered', MetricUnit.Count, count);
  }

  deadLettered(reason: DeadLetterReason, count: number): void {
    emitMetric(this.metrics, { reason }, 'EventsDeadLettered', MetricUnit.Count, count);
    this.logger.warn('events dead-lettered', { reason, count });
  }

  sinkRequest(latencyMs: number): void {
    this.metrics.addMetric('SiemLatency', MetricUnit.Milliseconds, latencyMs);
  }

  sinkError(error: SinkError): void {
    emitMetric(this.metrics, { status: error.status === undefined ? noResponseKind(error.reason) : String(error.status) }, 'SiemErrors', MetricUnit.Count, 1);
    if (error.auth) {
      this.logger.error('the SIEM refused our credentials: check the SIEM secret', { status: error.status, reason: error.reason, alarm: 'siem-auth' });
    } else {
      this.logger.warn('SIEM request failed', { status: error.status, reason: error.reason });
    }
  }
}

/**
 * The `status` dimension of a request that got no response: `timeout`, or the connection's error
 * code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, ...: a short, finite set), so the dashboard
 * tells a SIEM that is down from one whose certificate is not trusted; `none` when neither is known.
 */
export function noResponseKind(reason: string): string {
  if (reason.startsWith('timeout')) return 'timeout';
  return /^connection error ([A-Z][A-Z0-9_]*):/.exec(reason)?.[1] ?? 'none';
}
