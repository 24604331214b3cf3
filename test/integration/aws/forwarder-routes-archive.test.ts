import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { S3Archive } from '../../../lib/archive/s3-archive.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import { readLambdaSettings } from '../../../lib/config/lambda-settings.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { cleanupAwsFixtures, createIdempotencyTable, createQueuePair, dynamoClient, sqsClient, testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { adminEvent, batchOf, twoRouteConfig, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const JITTER_SEED = 11;
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('the forwarder Lambda with two routes and the S3 archive, on DynamoDB Local and fauxqs', () => {
  let sqs: SQSClient;
  let s3: S3Client;
  let queues: QueuePair;
  let bucket: string;
  let load: () => Promise<LambdaConfig>;

  beforeEach(async () => {
    sqs = sqsClient();
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    bucket = uniqueName('archive');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    queues = await createQueuePair('routes', { maxReceiveCount: 10, visibilityTimeoutSeconds: 5 });
    const settings = readLambdaSettings({
      QUEUE_URL: queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: queues.dlqUrl,
      IDEMPOTENCY_TABLE_NAME: await createIdempotencyTable(),
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '1',
      ARCHIVE_BUCKET: bucket,
      ARCHIVE_PREFIX: 'events/',
    });
    const config = twoRouteConfig();
    load = async () => ({ config, settings });
  });

  afterEach(async () => {
    s3.destroy();
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

  it(`keeps delivering to the webhook while QRadar is down, then delivers QRadar's share once (jitter seed ${JITTER_SEED})`, async () => {
    const qradar = new ScriptedSink('qradar', 'retry-all');
    const webhook = new ScriptedSink('webhook');
    const jitter = createRandom(JITTER_SEED);
    const handler = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, s3, logger: quiet(), random: () => jitter.next(), sinks: { qradar, webhook } });
    const forwarder = new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler });

    const users = batchOf('user', [userEvent('a', 'LOGIN', Date.UTC(2026, 10, 1, 23, 59)), userEvent('b', 'LOGIN_ERROR', Date.UTC(2026, 10, 2, 0, 1))]);
    const admins = batchOf('admin', [adminEvent('d', 'DELETE', 'USER', Date.UTC(2026, 10, 2, 8))]);
    const producer = new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl });
    // The user batch twice: a poller crash between enqueue and commit.
    await producer.enqueue([users, admins]);
    await producer.enqueue([users]);

    await forwarder.runUntil(() => webhook.accepted.length >= 2 && qradar.calls >= 2, { timeoutMs: 30_000 });
    expect(qradar.accepted).toEqual([]);
    qradar.answer = 'accept';
    await forwarder.runUntil(async () => qradar.accepted.length >= 3 && (await queueIsEmpty()), { timeoutMs: 30_000 });

    // Only the failed login and the admin deletion pass the webhook's filter, each once.
    expect(webhook.accepted.map(({ payload }) => (JSON.parse(payload) as { event: { id: string } }).event.id).sort()).toEqual(['b', 'd']);
    expect(qradar.accepted).toHaveLength(3);
    expect(new Set(qradar.keys()).size).toBe(3);
    expect(qradar.accepted.every(({ payload }) => payload.startsWith('CEF:0|'))).toBe(true);

    // Every event archived once, redacted, in its day's partition, whatever the routes did.
    const archived = await new S3Archive(s3, { bucket, prefix: 'events/' }).read({ order: 'asc', limit: 100 });
    expect(archived.map(({ eventID, date }) => `${date.slice(0, 10)} ${eventID}`)).toEqual([
      '2026-11-01 user_login',
      '2026-11-02 user_login_error',
      '2026-11-02 admin_user_delete',
    ]);
    expect(archived[1]!.params['duser']).toBe('<redacted>');
  });
});
