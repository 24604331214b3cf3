import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';

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
