import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  DashboardVariable,
  DefaultValue,
  GraphWidget,
  MathExpression,
  TextWidget,
  Values,
  VariableInputType,
  VariableType,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, tenantSearch } from './metric-names.js';

/** Props of {@link OperatorDashboard}. */
export interface OperatorDashboardProps {
  /** The tenants deployed in this account and region: the choices of the dashboard's `tenant` variable. */
  readonly tenants: readonly string[];
  /** Whether any of them has a Security Lake destination: only then the lake compactor's row is shown. @default false */
  readonly securityLake?: boolean;
}

/**
 * What the widgets hold in place of a tenant's name; the dashboard's `tenant` variable replaces
 * it with the tenant chosen. Upper case, so it can never be part of a tenant's name (lowercase
 * letters, digits and dashes) nor of anything else in the dashboard.
 */
export const TENANT_PLACEHOLDER = 'TENANT_VARIABLE';

const WIDTH = 8;
const HEIGHT = 6;
const MINUTE = 60;

/** The search of one service metric of the chosen tenant, whatever its other dimensions (each status or reason its own line). */
const chosenTenant = (metric: string, statistic: string, label?: string): MathExpression => tenantSearch(TENANT_PLACEHOLDER, metric, statistic, label);

/**
 * The search of an AWS metric of the chosen tenant's resources: its queues are named after its
 * data stack (`mpas-log-sync-<tenant>-data-...`), its functions after its service stack.
 */
function resourceSearch(namespaceAndDimension: string, metric: string, stack: 'data' | 'service', statistic: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${namespaceAndDimension}} MetricName="${metric}" "mpas-log-sync-${TENANT_PLACEHOLDER}-${stack}"', '${statistic}', ${MINUTE})`,
    usingMetrics: {},
    period: Duration.minutes(1),
    label: '',
  });
}

/** Every tenant's series of a service metric, one line per tenant. */
function everyTenant(metric: string, statistic: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,tenant} MetricName="${metric}"', '${statistic}', ${MINUTE})`,
    usingMetrics: {},
    period: Duration.minutes(1),
    label: '',
  });
}

/**
 * One dashboard for every tenant of an account and region, the tenant chosen by its `tenant`
 * variable (a dashboard is billed per month, a page per tenant would cost each tenant that much),
 * following the data flow: events read and delivered, lag, the SIEM's latency and errors, MPAS
 * errors and late events, what was filtered or dead-lettered, the lease, the queues, the
 * functions' errors, throttles and duration (the lake compactor's among them), the event archive,
 * and, with a Security Lake tenant, the compactor's report; and a first row across tenants: the
 * lag and deliveries of each, and the dead-letter queues holding messages.
 */
export class OperatorDashboard extends Construct {
  /** The dashboard `mpas-log-sync-<region>`. */
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperatorDashboardProps) {
    super(scope, id);
    const [first] = props.tenants;
    if (first === undefined) throw new RangeError('OperatorDashboard needs at least one tenant');
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are global to an account: the region tells the operator dashboards of an account apart.
      dashboardName: `mpas-log-sync-${Stack.of(this).region}`,
      defaultInterval: Duration.hours(3),
      variables: [
        new DashboardVariable({
          id: 'tenant',
          label: 'tenant',
          type: VariableType.PATTERN,
          inputType: VariableInputType.SELECT,
          value: TENANT_PLACEHOLDER,
          values: Values.fromValues(...props.tenants.map((tenant) => ({ value: tenant }))),
          defaultValue: DefaultValue.value(first),
          visible: true,
        }),
      ],
      widgets: [
        [
          new TextWidget({
            markdown: `# mpas-log-sync: ${props.tenants.length} tenant(s)\nMPAS -> poller -> queue -> forwarder -> SIEM. Choose the tenant above; the first row shows every tenant. Metrics: namespace ${METRICS_NAMESPACE}, dimension tenant.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('Every tenant: lag, newest event read (s)', [everyTenant('LagSeconds', 'Maximum')]),
          graph('Every tenant: events delivered (per minute)', [everyTenant('EventsDelivered', 'Sum')]),
          graph('Every tenant: dead-letter queue depth', [
            new MathExpression({
              expression: `SEARCH('{AWS/SQS,QueueName} MetricName="ApproximateNumberOfMessagesVisible" "mpas-log-sync" DeadLetterQueue', 'Maximum', ${MINUTE})`,
              usingMetrics: {},
              period: Duration.minutes(1),
              label: '',
            }),
          ]),
        ],
        [
          graph('Events read and delivered (per minute)', [chosenTenant('EventsRead', 'Sum'), chosenTenant('EventsDelivered', 'Sum')]),
          graph('Lag: newest event read / delivered (s)', [chosenTenant('LagSeconds', 'Maximum'), chosenTenant('DeliveredLagSeconds', 'Maximum')]),
          graph('SIEM latency (ms)', [chosenTenant('SiemLatency', 'p50', 'SiemLatency p50'), chosenTenant('SiemLatency', 'p99', 'SiemLatency p99')]),
        ],
        [
          graph('SIEM errors (by status)', [chosenTenant('SiemErrors', 'Sum')]),
          graph('MPAS errors (by status) and late events', [chosenTenant('MpasErrors', 'Sum')], [chosenTenant('LateEvents', 'Sum')]),
          graph('Events filtered and dead-lettered', [chosenTenant('EventsFiltered', 'Sum'), chosenTenant('EventsDeadLettered', 'Sum')]),
        ],
        [
          graph('Lease busy / lost, cursor age of expiration (%)', [chosenTenant('LeaseBusy', 'Sum'), chosenTenant('LeaseLost', 'Sum')], [chosenTenant('CursorAgeOfExpiration', 'Maximum')]),
          graph('Queue and dead-letter queue depth', [resourceSearch('AWS/SQS,QueueName', 'ApproximateNumberOfMessagesVisible', 'data', 'Maximum')]),
          graph('Oldest message in the queues (s)', [resourceSearch('AWS/SQS,QueueName', 'ApproximateAgeOfOldestMessage', 'data', 'Maximum')]),
        ],
        [
          graph('Lambda errors and throttles', [resourceSearch('AWS/Lambda,FunctionName', 'Errors', 'service', 'Sum')], [resourceSearch('AWS/Lambda,FunctionName', 'Throttles', 'service', 'Sum')]),
          graph('Lambda duration p99 (ms)', [resourceSearch('AWS/Lambda,FunctionName', 'Duration', 'service', 'p99')]),
          graph(
            'Event archive: records written / dropped, failures',
            [chosenTenant('ArchiveRecordsWritten', 'Sum')],
            [chosenTenant('ArchiveRecordsDropped', 'Sum'), chosenTenant('ArchiveRecordsFailed', 'Sum'), chosenTenant('ArchiveFailures', 'Sum')],
          ),
        ],
        // The lake compactor (functions/lake-compactor.ts) writes its report's counts; its errors are in the Lambda row above.
        ...(props.securityLake === true
          ? [
              [
                graph('Security Lake: files written, staged objects taken / events written', [chosenTenant('LakeFilesWritten', 'Sum'), chosenTenant('LakeStagedConsumed', 'Sum')], [chosenTenant('LakeEventsWritten', 'Sum')]),
                graph(
                  'Security Lake: compaction failures, manifests resumed, duplicates dropped, tombstones expired',
                  [chosenTenant('LakeCompactionFailures', 'Sum'), chosenTenant('LakeManifestsResumed', 'Sum'), chosenTenant('LakeDuplicatesDropped', 'Sum'), chosenTenant('LakeTombstonesExpired', 'Sum')],
                ),
                graph('Security Lake: bytes written', [chosenTenant('LakeBytesWritten', 'Sum')]),
              ],
            ]
          : []),
      ],
    });
  }
}
