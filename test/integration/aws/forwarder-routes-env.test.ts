import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import type { ForwarderConfig } from '../../../lib/config/app-config-schema.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { cleanupAwsFixtures, createIdempotencyTable, createQueuePair, dynamoClient, sqsClient } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { adminEvent, batchOf, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const JITTER_SEED = 17;
const QRADAR_SECRET = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:mpas-log-sync/acme/route-qradar-AbCdEf';
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** The routes as the stack writes them: no credentials, those come from the route's secret. */
const ROUTES = [
  { name: 'qradar', siem: { url: 'https://qradar.example.com/ingest', format: 'cef' } },
  {
    name: 'webhook',
    siem: { url: 'https://hooks.example.com/mpas', format: 'json' },
    filter: { OR: [{ 'event.type': { equals: 'LOGIN_ERROR' } }, { 'event.operationType': { equals: 'DELETE' } }] },
  },
];

describe('the forwarder Lambda configured with two routes through its environment only, on DynamoDB Local and fauxqs', () => {
  let sqs: SQSClient;
  let queues: QueuePair;
  let env: Record<string, string>;
  const asked: string[] = [];
  const load = (): Promise<LambdaConfig<ForwarderConfig>> =>
    loadLambdaConfig({
      env,
      role: 'forwarder',
      secrets: async (id) => {
        asked.push(id);
        return id === QRADAR_SECRET ? JSON.stringify({ token: 'qradar-token' }) : undefined;
      },
    });

  beforeEach(async () => {
    sqs = sqsClient();
    queues = await createQueuePair('routes-env', { maxReceiveCount: 10, visibilityTimeoutSeconds: 5 });
    env = {
      TENANT: 'acme',
      MPAS_BASE_URL: 'https://mpas.example.com',
      MPAS_REALMS: 'acme',
      QUEUE_URL: queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: queues.dlqUrl,
      IDEMPOTENCY_TABLE_NAME: await createIdempotencyTable(),
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '1',
      ROUTES: JSON.stringify(ROUTES),
      ROUTE_SECRET_ARNS: JSON.stringify({ qradar: QRADAR_SECRET }),
    };
  });

  afterEach(async () => {
    await cleanupAwsFixtures();
  });

  async function queueIsEmpty(): Promise<boolean> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return Object.values(Attributes).every((count) => count === '0');
  }

  it(`delivers every event to qradar in CEF and the filtered ones to the webhook, each once (jitter seed ${JITTER_SEED})`, async () => {
    const { config } = await load();
    expect(config.routes?.map((route) => [route.name, route.siem.auth])).toEqual([
      ['qradar', { kind: 'bearer', token: 'qradar-token' }],
      ['webhook', { kind: 'none' }],
    ]);
    expect(config.defaultRoute).toBe(false);

    const qradar = new ScriptedSink('qradar');
    const webhook = new ScriptedSink('webhook');
    const jitter = createRandom(JITTER_SEED);
    const handler = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, logger: quiet(), random: () => jitter.next(), sinks: { qradar, webhook } });
    const forwarder = new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler });

    const users = batchOf('user', [userEvent('a', 'LOGIN', Date.UTC(2026, 10, 2, 7)), userEvent('b', 'LOGIN_ERROR', Date.UTC(2026, 10, 2, 7, 1))]);
    const admins = batchOf('admin', [adminEvent('d', 'DELETE', 'USER', Date.UTC(2026, 10, 2, 8))]);
    const producer = new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl });
    await producer.enqueue([users, admins]);
    await producer.enqueue([users]);

    await forwarder.runUntil(async () => qradar.accepted.length >= 3 && webhook.accepted.length >= 2 && (await queueIsEmpty()), { timeoutMs: 30_000 });
    expect(webhook.accepted.map(({ payload }) => (JSON.parse(payload) as { event: { id: string } }).event.id).sort()).toEqual(['b', 'd']);
    expect(qradar.accepted).toHaveLength(3);
    expect(new Set(qradar.keys()).size).toBe(3);
    expect(qradar.accepted.every(({ payload }) => payload.startsWith('CEF:0|'))).toBe(true);
    expect(new Set(asked)).toEqual(new Set([QRADAR_SECRET]));
  });
});
