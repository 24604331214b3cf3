import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { createPollerHandler } from '../../../functions/poller.js';
import { inspectDeadLetters } from '../../../lib/aws/dlq-tools.js';
import { LARGE_PAYLOAD_PREFIX, S3PayloadStore } from '../../../lib/aws/s3-payload-store.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { AdminEvent, MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import { batchIdFor } from '../../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createQueuePair, dynamoClient, lambdaPipelineEnv, lambdaSecrets, queueMessageCount, sqsClient, testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const NOW = Date.parse('2025-03-04T10:00:00.000Z');
const REALM = 'acme';
const TENANT = 'acme-large';
const SIEM_TOKEN = 'siem-token-for-tests';
const SECRETS = lambdaSecrets(SIEM_TOKEN);
const JITTER_SEED = 17;
const MiB = 1_048_576;
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/**
 * A realm's partial import: Keycloak stores the whole request body, every user of the import,
 * in the admin event's `representation` (here about `bytes` of it, as JSON text).
 */
function partialImport(template: AdminEvent, bytes: number): AdminEvent {
  const users: Array<Record<string, string>> = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const user = { username: `imported-user-${index}`, email: `imported-user-${index}@example.com`, firstName: 'Imported', lastName: `User ${index}` };
    users.push(user);
    size += JSON.stringify(user).length + 1;
  }
  return { ...template, operationType: 'CREATE', resourceType: 'REALM', resourcePath: 'partialImport', representation: JSON.stringify({ ifResourceExists: 'SKIP', users }) };
}

describe('an event over the 1 MiB message limit travels through S3 (the claim check), on fauxqs and DynamoDB Local', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let sqs: SQSClient;
  let s3: S3Client;
  let bucket: string;
  let queues: QueuePair;
  let env: Record<string, string>;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: 4 });
    receiver = await startSiemReceiver({ auth: { bearerToken: SIEM_TOKEN } });
    sqs = sqsClient();
    // fauxqs serves S3 on the same endpoint.
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    bucket = uniqueName('payloads');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    queues = await createQueuePair('large', { maxReceiveCount: 10, visibilityTimeoutSeconds: 5 });
    env = await lambdaPipelineEnv({ tenant: TENANT, realm: REALM, mpasUrl: simulator.url, startFrom: NOW - 2 * 3_600_000, siemUrl: `${receiver.url}/ingest`, queues }, {
      LARGE_PAYLOAD_BUCKET: bucket,
      LARGE_PAYLOAD_KMS_KEY: 'arn:aws:kms:us-east-1:000000000000:key/tenant-key',
    });
  });

  afterEach(async () => {
    await simulator?.close();
    await receiver?.close();
    s3?.destroy();
    await cleanupAwsFixtures();
  });

  const load = (): Promise<LambdaConfig> => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn] });

  function forwarder(): SqsEventSourceDriver {
    const jitter = createRandom(JITTER_SEED);
    const handler = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, s3, logger: quiet(), random: () => jitter.next() });
    return new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler });
  }

  async function payloadKeys(): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map(({ Key }) => Key ?? '');
  }

  const queueIsEmpty = async (url = queues.queueUrl): Promise<boolean> => (await queueMessageCount(sqs, url)) === 0;

  it('delivers a 3 MB partial-import admin event with the events before and after it, once each, and leaves no object behind', async () => {
    const generated = generateEvents({ seed: 12, realm: REALM, count: 400, startTime: NOW - 3_600_000, spacingMs: 5_000, adminShare: 0.5 });
    const middle = Math.floor(generated.admin.length / 2);
    const large = partialImport(generated.admin[middle]!, 3_000_000);
    const admins = generated.admin.map((event, index) => (index === middle ? large : event));
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', admins);

    const poller = createPollerHandler({ load, dynamodb: dynamoClient(), sqs, s3, clock, logger: quiet() });
    const outcome = await poller(undefined, fakeLambdaContext({ functionName: 'poller' }));
    expect(outcome).toMatchObject({ status: 'complete', events: 400, failures: [] });
    // The one event over the limit alone went to the bucket, encrypted and named by its batch.
    const stored = await payloadKeys();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(new RegExp(`^${LARGE_PAYLOAD_PREFIX}${batchIdFor(TENANT, REALM, 'admin', [eventKey(large)])}/[0-9a-f-]{36}\\.json$`));

    const driver = forwarder();
    await driver.runUntil(async () => receiver.received().length >= 400 && (await queueIsEmpty()), { timeoutMs: 60_000 });
    expect(idsOf(receiver.received())).toEqual([...generated.user, ...admins].map(({ id }) => id).sort());
    // Redacted as every admin event is: the SIEM got the event, not the import's users.
    const delivered = receiver.received().find((item) => (item.json as { event: MpasEvent }).event.id === large.id);
    expect((delivered?.json as { event: AdminEvent }).event).toMatchObject({ resourcePath: 'partialImport', representation: '<redacted>' });
    expect(await payloadKeys()).toEqual([]);
    expect(await queueIsEmpty(queues.dlqUrl)).toBe(true);
  });

  it('dead-letters a pointer whose object changed as the pointer, shown by dlq inspect, and drops a second delivery of a done one whose object is gone', async () => {
    const store = new S3PayloadStore(s3, bucket);
    const producer = new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl, largePayloads: { store, keyPrefix: LARGE_PAYLOAD_PREFIX } });
    const [tampered, delivered] = generateEvents({ seed: 13, realm: REALM, count: 2, startTime: NOW - 60_000, adminShare: 1 }).admin.map((event) => partialImport(event, 1.2 * MiB));
    await producer.enqueue([batchOf([tampered!])]);
    const [key] = await payloadKeys();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"v":1}' }));
    await producer.enqueue([batchOf([delivered!])]);
    // SQS delivers at least once: keep the second pointer to hand it out again after it is done.
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    for (const message of Messages) await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    const copy = Messages.find((message) => message.MessageAttributes?.['batchId']?.StringValue === batchOf([delivered!]).batchId);
    expect(copy?.MessageAttributes?.['ExtendedPayloadSize']?.DataType).toBe('Number');

    const driver = forwarder();
    await driver.runUntil(async () => receiver.received().length >= 1 && (await queueIsEmpty()), { timeoutMs: 30_000 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: copy?.Body, MessageAttributes: copy?.MessageAttributes }));
    await driver.runUntil(async () => (await queueIsEmpty()) && driver.rounds.length >= 2, { timeoutMs: 30_000 });
    expect(idsOf(receiver.received())).toEqual([delivered!.id]);

    const [dead, ...more] = await inspectDeadLetters(sqs, { queueUrl: queues.dlqUrl, max: 10 });
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ reason: 'invalid-message', realm: REALM, stream: 'admin', events: null, payload: { bucket, key, bytes: expect.any(Number) } });
    expect(dead?.detail).toMatch(/holds 7 bytes, the pointer says \d+/);
    // The dead letter's object stays for the operator; the delivered one is gone.
    expect(await payloadKeys()).toEqual([key]);
  });
});

/** The received events' ids, sorted: a repeat or a loss changes the list. */
function idsOf(items: readonly ReceivedItem[]): Array<string | undefined> {
  return items.map((item) => (item.json as { event: MpasEvent }).event.id).sort();
}

function batchOf(events: MpasEvent[]): EventBatch {
  const batchId = batchIdFor(TENANT, REALM, 'admin', events.map((event) => eventKey(event)));
  return { v: 1, tenant: TENANT, realm: REALM, stream: 'admin', batchId, events };
}
