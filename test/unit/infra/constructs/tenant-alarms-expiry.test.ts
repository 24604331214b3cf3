import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tenantAlarmsWith } from '../../../support/monitoring-fixture.js';

function alarmsWith(cursorExpiryAlarmPercent: number | undefined, withVerifier = false) {
  return tenantAlarmsWith({ ...(cursorExpiryAlarmPercent === undefined ? {} : { cursorExpiryAlarmPercent }), verifier: withVerifier });
}

describe('TenantAlarms cursor expiry', () => {
  it('fires when any stream\'s unread part passes the share of its realm\'s event expiration, and notifies both ways', () => {
    const { alarms, template } = alarmsWith(50);
    expect(alarms.cursorExpiry).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 50,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp("^mpas-log-sync acme: unread events are older than 50% of the realm's event expiration; Keycloak deletes older events"),
      AlarmActions: [{ Ref: template.getResourceId('AWS::SNS::Topic') }],
      OKActions: [{ Ref: template.getResourceId('AWS::SNS::Topic') }],
      Metrics: [Match.objectLike({ Expression: "SELECT MAX(CursorAgeOfExpiration) FROM MpasLogSync WHERE tenant = 'acme'", Period: 300 })],
    });
  });

  it('is not there unless asked for, and refuses a share outside (0, 100)', () => {
    const { alarms, template } = alarmsWith(undefined);
    expect(alarms.cursorExpiry).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toContain('CursorAgeOfExpiration');
    expect(() => alarmsWith(100)).toThrow('cursorExpiryAlarmPercent must be between 0 and 100 (exclusive), got 100');
  });
});

describe('TenantAlarms daily verification', () => {
  it('alarms on MissingEvents (the state held until the next day\'s answer) and on the verifier\'s errors', () => {
    const { alarms, template } = alarmsWith(undefined, true);
    expect(alarms.missingEvents).toBeDefined();
    expect(alarms.verifierErrors).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
      AlarmDescription: Match.stringLikeRegexp('^mpas-log-sync acme: the daily verification found events MPAS holds that the archive lacks'),
      Metrics: [Match.objectLike({ Expression: "SELECT SUM(MissingEvents) FROM MpasLogSync WHERE tenant = 'acme'", Period: 3600 })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Forwarder') } }],
      Period: 3600,
      AlarmDescription: Match.stringLikeRegexp('^mpas-log-sync acme: the daily verification failed'),
    });
  });
});
