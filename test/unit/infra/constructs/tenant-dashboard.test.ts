import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantDashboard } from '../../../../infra/constructs/tenant-dashboard.js';
import { monitoringFixture } from '../../../support/monitoring-fixture.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

type Widget = { type: string; properties: { title?: string; metrics?: unknown[][] } };

describe('TenantDashboard', () => {
  let widgets: Widget[];
  let body: string;
  beforeAll(() => {
    const fixture = monitoringFixture();
    new TenantDashboard(fixture.stack, 'Dashboard', { tenant: 'acme', ...fixture });
    const template = Template.fromStack(fixture.stack);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mpas-log-sync-acme' });
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    // The body is a Fn::Join of text and references; the references become placeholders.
    body = (Stack.of(fixture.stack).resolve(dashboard['Properties']['DashboardBody'])['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : '"REF"'))
      .join('')
      .replace(/""REF""/g, '"REF"');
    widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
  }, SYNTH_TIMEOUT_MS);

  it('graphs every service metric of the tenant, read from namespace MpasLogSync whatever its other dimensions', () => {
    for (const metric of ['EventsRead', 'EventsDelivered', 'LagSeconds', 'DeliveredLagSeconds', 'SiemLatency', 'SiemErrors', 'EventsFiltered', 'EventsDeadLettered', 'LeaseBusy', 'LeaseLost']) {
      expect(body, metric).toContain(`SEARCH('Namespace=\\"MpasLogSync\\" MetricName=\\"${metric}\\" tenant=\\"acme\\"'`);
    }
  });

  it('shows the SIEM latency at p50 and p99 and sums the counts over realms and streams', () => {
    expect(body).toContain(`MetricName=\\"SiemLatency\\" tenant=\\"acme\\"', 'p50', 60)`);
    expect(body).toContain(`MetricName=\\"SiemLatency\\" tenant=\\"acme\\"', 'p99', 60)`);
    expect(body).toContain('"expression":"SUM(sEventsRead)"');
    expect(body).toContain('"expression":"SUM(sEventsDelivered)"');
  });

  it('graphs queue depth, oldest message age, dead-letter depth and the functions\' errors, throttles and duration', () => {
    const titles = widgets.map((widget) => widget.properties.title).filter(Boolean);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Queue depth and dead-letter queue depth',
        'Oldest message in the queue (s)',
        'Lambda errors and throttles',
        'Lambda duration p99 (ms)',
      ]),
    );
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Errors', 'Throttles', 'Duration']) {
      expect(body, metric).toContain(`"${metric}"`);
    }
    const queueWidget = widgets.find((widget) => widget.properties.title === 'Queue depth and dead-letter queue depth');
    expect(queueWidget?.properties.metrics).toHaveLength(2);
  });
});

describe('TenantDashboard with the event archive', () => {
  const bodyOf = (archive: boolean): string => {
    const fixture = monitoringFixture();
    new TenantDashboard(fixture.stack, 'Dashboard', { tenant: 'acme', ...fixture, archive });
    const template = Template.fromStack(fixture.stack);
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
    return JSON.stringify(Stack.of(fixture.stack).resolve(dashboard['Properties']['DashboardBody']));
  };

  it('graphs the archive records written, dropped and failed, and the failures, only with the archive', () => {
    const on = bodyOf(true);
    expect(on).toContain('Event archive: records written / dropped, failures');
    for (const metric of ['ArchiveRecordsWritten', 'ArchiveRecordsDropped', 'ArchiveRecordsFailed', 'ArchiveFailures']) {
      expect(on, metric).toContain(`MetricName=\\\\\\"${metric}\\\\\\" tenant=\\\\\\"acme\\\\\\"`);
    }
    expect(bodyOf(false)).not.toContain('Archive');
  }, SYNTH_TIMEOUT_MS);
});
