import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ArchiveObserver } from '../archive/archive-writer.js';

/**
 * The event archive's telemetry as EMF, flushed with the invocation's metrics, each read by the
 * operator dashboard or an alarm:
 * `ArchiveRecordsWritten`, `ArchiveRecordsDropped` (the buffer was full) and
 * `ArchiveRecordsFailed` / `ArchiveFailures` (the store refused), which an alarm watches.
 * Archive problems are logged at warn: they never fail a delivery. Expiry is the bucket's
 * lifecycle rule on AWS (the function runs the writer without retention), so nothing expires here.
 */
export class ArchiveMetrics implements ArchiveObserver {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  archived(count: number): void {
    this.metrics.addMetric('ArchiveRecordsWritten', MetricUnit.Count, count);
  }

  dropped(count: number): void {
    this.metrics.addMetric('ArchiveRecordsDropped', MetricUnit.Count, count);
    this.logger.warn('archive buffer full: records dropped', { count });
  }

  failed(count: number, error: unknown): void {
    this.metrics.addMetric('ArchiveFailures', MetricUnit.Count, 1);
    if (count > 0) this.metrics.addMetric('ArchiveRecordsFailed', MetricUnit.Count, count);
    this.logger.warn('event archive write failed', { count, error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
  }
}
