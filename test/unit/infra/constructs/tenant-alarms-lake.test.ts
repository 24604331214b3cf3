import { describe, expect, it } from 'vitest';
import { tenantAlarmsWith } from '../../../support/monitoring-fixture.js';

/** TenantAlarms for tenant `acme`, with the fixture's forwarder standing in for the lake compactor when `lake` is set. */
function alarmsOf(lake: boolean) {
  const { alarms, template, fixture } = tenantAlarmsWith({ lakeCompactor: lake });
  return { alarms, template, compactorId: lake ? fixture.stack.getLogicalId(fixture.forwarder.node.defaultChild as never) : undefined };
}

describe('TenantAlarms with a Security Lake compactor', () => {
  it('fires to the topic on any error of the compactor (a failed compaction fails its invocation), and recovers', () => {
    const { alarms, template, compactorId } = alarmsOf(true);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(6);
    const topic = { Ref: template.getResourceId('AWS::SNS::Topic') };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: compactorId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
      AlarmDescription: 'mpas-log-sync acme: the Security Lake compaction failed (LakeCompactionFailures, a timeout or a crash): staged events wait for the next run, which resumes it; see the lake compactor\'s logs',
    });
    expect(alarms.lakeCompactorErrors).toBeDefined();
  });

  it('has no such alarm without a lake', () => {
    const { alarms, template } = alarmsOf(false);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(5);
    expect(JSON.stringify(template.toJSON())).not.toContain('Security Lake');
    expect(alarms.lakeCompactorErrors).toBeUndefined();
  });
});
