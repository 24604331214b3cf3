import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { OperatorDashboard, TENANT_PLACEHOLDER } from '../../../../infra/constructs/operator-dashboard.js';

type Widget = { type: string; properties: { title?: string; metrics?: unknown[][] } };
type Variable = { type: string; pattern: string; inputType: string; id: string; values: Array<{ value: string }>; defaultValue: string };

/** The dashboard's body, as CloudWatch receives it. */
function dashboardBody(tenants: string[], securityLake = false): { body: string; widgets: Widget[]; variables: Variable[] } {
  const stack = new Stack(new App(), 'Operator', { env: { account: '123456789012', region: 'eu-central-1' } });
  new OperatorDashboard(stack, 'Dashboard', { tenants, securityLake });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mpas-log-sync-eu-central-1' });
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
  const resolved: unknown = stack.resolve(dashboard['Properties']['DashboardBody']);
  const body = typeof resolved === 'string' ? resolved : (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REF')).join('');
  const parsed = JSON.parse(body) as { widgets: Widget[]; variables: Variable[] };
  return { body, widgets: parsed.widgets, variables: parsed.variables };
}

describe('OperatorDashboard', () => {
  let body: string;
  let widgets: Widget[];
  let variables: Variable[];
  beforeAll(() => {
    ({ body, widgets, variables } = dashboardBody(['acme', 'northwind']));
  });

  it('has one variable, tenant, choosing among the tenants and replacing the placeholder, the first tenant by default', () => {
    expect(variables).toEqual([
      expect.objectContaining({ id: 'tenant', type: 'pattern', pattern: TENANT_PLACEHOLDER, inputType: 'select', values: [{ value: 'acme' }, { value: 'northwind' }], defaultValue: 'acme' }),
    ]);
    // No tenant's name is written into a widget: each widget follows the variable.
    expect(JSON.stringify(widgets)).not.toMatch(/acme|northwind/);
  });

  it('graphs every metric the functions write, of the tenant chosen, whatever its other dimensions', () => {
    const metrics = ['EventsRead', 'EventsDelivered', 'LagSeconds', 'DeliveredLagSeconds', 'SiemLatency', 'SiemErrors', 'MpasErrors', 'LateEvents', 'EventsFiltered', 'EventsDeadLettered', 'LeaseBusy', 'LeaseLost', 'CursorAgeOfExpiration', 'ArchiveRecordsWritten', 'ArchiveRecordsDropped', 'ArchiveRecordsFailed', 'ArchiveFailures'];
    for (const metric of metrics) {
      expect(body, metric).toContain(`SEARCH('Namespace=\\"MpasLogSync\\" MetricName=\\"${metric}\\" tenant=\\"${TENANT_PLACEHOLDER}\\"'`);
    }
    expect(body).toContain(`MetricName=\\"SiemLatency\\" tenant=\\"${TENANT_PLACEHOLDER}\\"', 'p99', 60)`);
  });

  it("finds the chosen tenant's queues and functions by their stacks' names, and shows every tenant's lag, deliveries and dead letters", () => {
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      expect(body, metric).toContain(`SEARCH('{AWS/SQS,QueueName} MetricName=\\"${metric}\\" \\"mpas-log-sync-${TENANT_PLACEHOLDER}-data\\"'`);
    }
    for (const metric of ['Errors', 'Throttles', 'Duration']) {
      expect(body, metric).toContain(`SEARCH('{AWS/Lambda,FunctionName} MetricName=\\"${metric}\\" \\"mpas-log-sync-${TENANT_PLACEHOLDER}-service\\"'`);
    }
    const titles = widgets.map((widget) => widget.properties.title).filter(Boolean);
    expect(titles.filter((title) => title!.startsWith('Every tenant'))).toHaveLength(3);
    expect(body).toContain(`SEARCH('{MpasLogSync,service,tenant} MetricName=\\"LagSeconds\\"', 'Maximum', 60)`);
  });

  it('graphs the lake compactor\'s report only when a tenant has a Security Lake destination', () => {
    const lakeMetrics = ['LakeFilesWritten', 'LakeEventsWritten', 'LakeStagedConsumed', 'LakeDuplicatesDropped', 'LakeManifestsResumed', 'LakeTombstonesExpired', 'LakeBytesWritten', 'LakeCompactionFailures'];
    const withLake = dashboardBody(['acme'], true);
    for (const metric of lakeMetrics) {
      expect(withLake.body, metric).toContain(`SEARCH('Namespace=\\"MpasLogSync\\" MetricName=\\"${metric}\\" tenant=\\"${TENANT_PLACEHOLDER}\\"'`);
    }
    expect(withLake.widgets.length - widgets.length).toBe(3);
    expect(body).not.toContain('Lake');
  });

  it('refuses an empty list of tenants', () => {
    const stack = new Stack(new App(), 'Empty');
    expect(() => new OperatorDashboard(stack, 'Dashboard', { tenants: [] })).toThrow('at least one tenant');
  });
});
