import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { TenantAlarms } from '../../infra/constructs/tenant-alarms.js';
import type { TenantAlarmsProps } from '../../infra/constructs/tenant-alarms.js';

/** A stack with stand-ins for what the monitoring constructs watch: nothing to bundle. */
export function monitoringFixture() {
  const stack = new Stack(new App(), 'Monitoring', { env: { account: '123456789012', region: 'eu-central-1' } });
  const key = new Key(stack, 'Key');
  const fn = (id: string) => new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {};') });
  return {
    stack,
    key,
    poller: fn('Poller'),
    forwarder: fn('Forwarder'),
    pollerLogs: new LogGroup(stack, 'PollerLogs'),
    forwarderLogs: new LogGroup(stack, 'ForwarderLogs'),
    queue: new Queue(stack, 'Queue'),
    deadLetterQueue: new Queue(stack, 'DeadLetterQueue'),
  };
}

/**
 * TenantAlarms for tenant `acme` (mailbox soc@acme.example, lag alarm at 1,200 s) on a fresh
 * fixture, with `extra` props; `verifier: true` and `lakeCompactor: true` stand the fixture's
 * forwarder in for the verifier or the Security Lake compactor.
 */
export function tenantAlarmsWith(extra: Partial<Omit<TenantAlarmsProps, 'verifier' | 'lakeCompactor'>> & { verifier?: boolean; lakeCompactor?: boolean } = {}) {
  const fixture = monitoringFixture();
  const { verifier, lakeCompactor, ...rest } = extra;
  const alarms = new TenantAlarms(fixture.stack, 'Alarms', {
    tenant: 'acme',
    alarmEmail: 'soc@acme.example',
    lagAlarmSeconds: 1200,
    key: fixture.key,
    poller: fixture.poller,
    pollerLogs: fixture.pollerLogs,
    forwarderLogs: fixture.forwarderLogs,
    deadLetterQueue: fixture.deadLetterQueue,
    ...(verifier ? { verifier: fixture.forwarder } : {}),
    ...(lakeCompactor ? { lakeCompactor: fixture.forwarder } : {}),
    ...rest,
  });
  return { alarms, template: Template.fromStack(fixture.stack), fixture };
}
