import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantAlarms } from '../../../../infra/constructs/tenant-alarms.js';
import { tenantAlarmsWith } from '../../../support/monitoring-fixture.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

describe('TenantAlarms', () => {
  let template: Template;
  let alarms: TenantAlarms;
  beforeAll(() => {
    ({ alarms, template } = tenantAlarmsWith());
  }, SYNTH_TIMEOUT_MS);

  const topicRef = () => ({ Ref: template.getResourceId('AWS::SNS::Topic') });

  it('sends to a KMS-encrypted, TLS-only topic with the tenant mailbox subscribed', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'soc@acme.example', TopicArn: topicRef() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  it('has five alarms, each notifying the topic when it fires and when it recovers', () => {
    const found = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(found).toHaveLength(5);
    for (const alarm of found) {
      expect(alarm['Properties']['AlarmActions']).toEqual([topicRef()]);
      expect(alarm['Properties']['OKActions']).toEqual([topicRef()]);
      expect(alarm['Properties']['TreatMissingData']).toBe('notBreaching');
      expect(alarm['Properties']['AlarmDescription']).toMatch(/^mpas-log-sync acme: /);
    }
  });

  it('fires on lag above the threshold, over every realm and stream of the tenant', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1200,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [Match.objectLike({ Expression: "SELECT MAX(LagSeconds) FROM MpasLogSync WHERE tenant = 'acme'", Period: 300, ReturnData: true })],
    });
  });

  it('fires on any message in the dead-letter queue and on any poller error', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Poller') } }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('counts the log lines the functions mark as MPAS or SIEM authentication failures, and fires on one', () => {
    for (const [logGroup, field, metric] of [['^PollerLogs', 'mpas-auth', 'MpasAuthErrorLogs'], ['^ForwarderLogs', 'siem-auth', 'SiemAuthErrorLogs']] as const) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp(logGroup) },
        FilterPattern: `{ $.alarm = "${field}" }`,
        MetricTransformations: [{ MetricNamespace: 'MpasLogSync', MetricName: metric, MetricValue: '1', Dimensions: [{ Key: 'tenant', Value: '$.tenant' }] }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'MpasLogSync',
        MetricName: metric,
        Dimensions: [{ Name: 'tenant', Value: 'acme' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    expect(alarms.mpasAuth.alarmArn).toBeDefined();
  });
});

describe('TenantAlarms with the event archive', () => {
  const withArchive = (archive: boolean | undefined) => {
    return tenantAlarmsWith(archive === undefined ? {} : { archive });
  };

  it('fires to the topic on any archive failure and on any dropped archive record, over the whole tenant', () => {
    const { alarms, template } = withArchive(true);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(7);
    const topic = { Ref: template.getResourceId('AWS::SNS::Topic') };
    for (const metric of ['ArchiveFailures', 'ArchiveRecordsDropped']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
        AlarmDescription: Match.stringLikeRegexp(`^mpas-log-sync acme: .*\\(${metric}\\)`),
        Metrics: [Match.objectLike({ Expression: `SELECT SUM(${metric}) FROM MpasLogSync WHERE tenant = 'acme'`, Period: 300, ReturnData: true })],
      });
    }
    expect(alarms.archiveFailures).toBeDefined();
    expect(alarms.archiveDropped).toBeDefined();
  }, SYNTH_TIMEOUT_MS);

  it('has no archive alarm when the archive is off or not said', () => {
    for (const archive of [false, undefined]) {
      const { alarms, template } = withArchive(archive);
      expect(JSON.stringify(template.toJSON()), String(archive)).not.toMatch(/Archive(Failures|RecordsDropped)/);
      expect(alarms.archiveFailures).toBeUndefined();
      expect(alarms.archiveDropped).toBeUndefined();
    }
  }, SYNTH_TIMEOUT_MS);
});
