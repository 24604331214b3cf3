import { Duration } from 'aws-cdk-lib';
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';

/** The namespace the functions publish to (Powertools Metrics in functions/*.ts). */
import { METRICS_NAMESPACE } from '../../lib/aws/service-metrics.js';

export { METRICS_NAMESPACE };

/**
 * Metrics the stack derives from the functions' JSON logs: the lines with `"alarm":
 * "mpas-auth"` or `"alarm": "siem-auth"` (lib/aws/poll-metrics.ts, forward-metrics.ts), one
 * count per line, with the line's `tenant` as dimension.
 */
export const LOG_METRICS = {
  mpasAuth: { alarmField: 'mpas-auth', metricName: 'MpasAuthErrorLogs' },
  siemAuth: { alarmField: 'siem-auth', metricName: 'SiemAuthErrorLogs' },
} as const;

/**
 * A Metrics Insights query over every series of `metric` for `tenant`, whatever its other
 * dimensions (service, status): usable in alarms, unlike SEARCH.
 */
export function tenantQuery(tenant: string, fn: 'SUM' | 'MAX' | 'AVG', metric: string, period: Duration, label?: string): MathExpression {
  return new MathExpression({
    expression: `SELECT ${fn}(${metric}) FROM ${METRICS_NAMESPACE} WHERE tenant = '${tenant}'`,
    usingMetrics: {},
    period,
    label: label ?? `${metric} (${fn.toLowerCase()})`,
  });
}

/**
 * Every series of `metric` for `tenant` (one line per status, reason, ...), with `statistic`
 * (percentiles included, which Metrics Insights lacks): for dashboards only.
 */
export function tenantSearch(tenant: string, metric: string, statistic: string, label?: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metric}" tenant="${tenant}"', '${statistic}', 60)`,
    usingMetrics: {},
    period: Duration.minutes(1),
    label: label ?? metric,
  });
}
