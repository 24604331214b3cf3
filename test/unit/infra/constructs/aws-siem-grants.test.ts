import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { awsSiemPuts, grantAwsSiemPuts } from '../../../../infra/constructs/aws-siem-grants.js';
import { configWithSiem } from '../../../support/route-fixtures.js';

const BUS_ARN = 'arn:aws:events:eu-west-1:111122223333:event-bus/security';

const config = configWithSiem;

function policyStatements(siem: Record<string, unknown>, routes?: unknown[]): { statements: unknown[]; stack: Stack } {
  const stack = new Stack(new App(), 'Grants');
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const role = new Role(stack, 'Forwarder', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  grantAwsSiemPuts(role, config(siem, routes));
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  const statements = policies.flatMap((policy) => (policy['Properties'] as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument.Statement);
  return { statements, stack };
}

describe('the forwarder\'s grants on EventBridge and Firehose', () => {
  it('puts to the bus ARN given, and to a stream named in its region and the stack\'s account', () => {
    const { statements, stack } = policyStatements({ type: 'eventbridge', eventbridge: { bus: BUS_ARN } }, [
      { name: 'lake', siem: { type: 'firehose', firehose: { stream: 'mpas-audit', region: 'eu-central-1' } } },
      { name: 'again', siem: { type: 'eventbridge', eventbridge: { bus: BUS_ARN, source: 'other' } } },
    ]);
    const stream = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':firehose:eu-central-1:', { Ref: 'AWS::AccountId' }, ':deliverystream/mpas-audit']] };
    expect(statements).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS_ARN },
      { Action: 'firehose:PutRecordBatch', Effect: 'Allow', Resource: stream },
    ]);
    // No wildcard, nothing for cdk-nag to flag.
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
  });

  it('names the default bus in the stack\'s region when no bus is set', () => {
    const { statements } = policyStatements({ type: 'eventbridge' });
    expect(statements).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] } },
    ]);
  });

  it('grants nothing to a tenant without an AWS destination', () => {
    expect(awsSiemPuts(config({ type: 'https', url: 'https://siem.example.com/' }))).toEqual([]);
    expect(policyStatements({ type: 'https', url: 'https://siem.example.com/' }).statements).toEqual([]);
  });
});
