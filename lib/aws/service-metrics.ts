import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of every metric the functions write (the alarms and the dashboard read them there). */
export const METRICS_NAMESPACE = 'MpasLogSync';

// Powertools says this whenever an invocation wrote no metric, which an idle poll does by design
// (it writes a metric only when one says something): a warning a minute per tenant, read by no one.
const NOTHING_TO_PUBLISH = 'No application metrics to publish';

/**
 * Powertools' own messages about the metrics go to the function's logger (JSON, with the tenant
 * and request id) instead of the console, and "nothing to publish" only at debug level.
 */
export function metricsDiagnostics(logger: Logger): { debug: Logger['debug']; info: Logger['info']; warn: (...content: unknown[]) => void; error: Logger['error'] } {
  return {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    // Powertools passes the logger what it would pass the console: a message and any extra values.
    warn: (...content: unknown[]) => {
      const [message] = content;
      const level = typeof message === 'string' && message.startsWith(NOTHING_TO_PUBLISH) ? logger.debug : logger.warn;
      (level as (...args: unknown[]) => void).apply(logger, content);
    },
    error: logger.error.bind(logger),
  };
}

/** The metrics of one function (`serviceName`), with its diagnostics on `logger`. */
export function serviceMetrics(serviceName: string, logger: Logger): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger: metricsDiagnostics(logger) });
}
