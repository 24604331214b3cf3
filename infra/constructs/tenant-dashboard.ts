import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tenantSearch } from './metric-names.js';

/** Props of {@link TenantDashboard}. */
export interface TenantDashboardProps {
  readonly tenant: string;
  readonly poller: IFunction;
  readonly forwarder: IFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Whether the forwarder archives events: adds the archive's graph. @default false */
  readonly archive?: boolean;
}

const WIDTH = 8;
const HEIGHT = 6;

/**
 * One page per tenant, following the data flow: events read and delivered, lag, the SIEM's
 * latency and errors, what was filtered or dead-lettered, the lease, the queues, and the
 * functions' errors, throttles and duration, and, with the event archive, its records
 * written, dropped and failed.
 */
export class TenantDashboard extends Construct {
  /** The dashboard `mpas-log-sync-<tenant>`. */
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: TenantDashboardProps) {
    super(scope, id);
    const { tenant } = props;
    const search = (metric: string, statistic: string, label?: string) => tenantSearch(tenant, metric, statistic, label);
    const total = (metric: string) =>
      // The sum over realms and streams; ids are unique per graph, so each is named for its metric.
      new MathExpression({ expression: `SUM(s${metric})`, usingMetrics: { [`s${metric}`]: search(metric, 'Sum') }, period: Duration.minutes(1), label: metric });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });
    const minute = { period: Duration.minutes(1) };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `mpas-log-sync-${tenant}`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new TextWidget({ markdown: `# mpas-log-sync ${tenant}\nMPAS -> poller -> queue -> forwarder -> SIEM. Metrics: namespace MpasLogSync, dimension tenant.`, width: 24, height: 2 })],
        [
          graph('Events read and delivered (per minute)', [total('EventsRead'), total('EventsDelivered')]),
          graph('Lag: newest event read / delivered (s)', [search('LagSeconds', 'Maximum'), search('DeliveredLagSeconds', 'Maximum')]),
          graph('SIEM latency (ms)', [search('SiemLatency', 'p50', 'SiemLatency p50'), search('SiemLatency', 'p99', 'SiemLatency p99')]),
        ],
        [
          graph('SIEM errors (by status)', [search('SiemErrors', 'Sum')]),
          graph('Events filtered and dead-lettered', [total('EventsFiltered'), search('EventsDeadLettered', 'Sum')]),
          graph('Lease busy / lost', [search('LeaseBusy', 'Sum'), search('LeaseLost', 'Sum')]),
        ],
        [
          graph('Queue depth and dead-letter queue depth', [
            props.queue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'queue' }),
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'dead-letter queue' }),
          ]),
          graph('Oldest message in the queue (s)', [props.queue.metricApproximateAgeOfOldestMessage({ ...minute, statistic: 'Maximum' })]),
          graph(
            'Lambda errors and throttles',
            [props.poller.metricErrors({ ...minute, label: 'poller errors' }), props.forwarder.metricErrors({ ...minute, label: 'forwarder errors' })],
            [props.poller.metricThrottles({ ...minute, label: 'poller throttles' }), props.forwarder.metricThrottles({ ...minute, label: 'forwarder throttles' })],
          ),
        ],
        [
          graph('Lambda duration p99 (ms)', [
            props.poller.metricDuration({ ...minute, statistic: 'p99', label: 'poller' }),
            props.forwarder.metricDuration({ ...minute, statistic: 'p99', label: 'forwarder' }),
          ]),
          ...(props.archive === true
            ? [graph('Event archive: records written / dropped, failures', [total('ArchiveRecordsWritten')], [total('ArchiveRecordsDropped'), total('ArchiveRecordsFailed'), total('ArchiveFailures')])]
            : []),
        ],
      ],
    });
  }
}
