import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { inspectDeadLetters, redriveDeadLetters } from '../../../lib/aws/dlq-tools.js';
import { retryWindow } from '../../../lib/aws/retry-window.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import type { ForwarderConfig } from '../../../lib/config/app-config-schema.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { batchIdFor } from '../../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { cleanupAwsFixtures, createIdempotencyTable, createQueuePair, dynamoClient, queueMessageCount, sqsClient } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const REALM = 'acme';
const TENANT = 'acme-retry';
const SIEM_TOKEN = 'siem-token-for-tests';
const SECRETS: Record<string, string> = { 'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem': JSON.stringify({ token: SIEM_TOKEN }) };
const JITTER_SEED = 23;
// A retry window of seconds, not hours: the derivation is the stack's, the clock the real one.
const BACKOFF = { baseSeconds: 1, maxSeconds: 2 };
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('the forwarder Lambda against a SIEM outage and its own deadline, with the queue the stack derives (fauxqs, DynamoDB Local)', () => {
  let receiver: SiemReceiver;
  let sqs: SQSClient;
  let queues: QueuePair;
  let env: Record<string, string>;
  const window = retryWindow(BACKOFF, { visibilityTimeoutSeconds: 5, forwarderTimeoutSeconds: 60 });

  beforeEach(async () => {
    receiver = await startSiemReceiver({ auth: { bearerToken: SIEM_TOKEN } });
    sqs = sqsClient();
    queues = await createQueuePair('retry', { maxReceiveCount: window.maxReceiveCount, visibilityTimeoutSeconds: 5 });
    env = {
      TENANT,
      MPAS_BASE_URL: 'https://mpas.invalid',
      MPAS_REALMS: REALM,
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem',
      SIEM_BATCH: 'single',
      SIEM_ATTEMPTS: '1',
      SIEM_TIMEOUT_MS: '20000',
      IDEMPOTENCY_TABLE_NAME: await createIdempotencyTable(),
      QUEUE_URL: queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: queues.dlqUrl,
      RETRY_BASE_SECONDS: String(BACKOFF.baseSeconds),
      RETRY_MAX_SECONDS: String(BACKOFF.maxSeconds),
    };
  });

  afterEach(async () => {
    await receiver?.close();
    await cleanupAwsFixtures();
  });

  const load = (): Promise<LambdaConfig<ForwarderConfig>> => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn], role: 'forwarder' });

  /** The forwarder behind the event source, noting each record's receive count by batch id. */
  function forwarder(options: { functionTimeoutMs?: number } = {}): { driver: SqsEventSourceDriver; receives: Map<string, number[]> } {
    const jitter = createRandom(JITTER_SEED);
    const handler = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, logger: quiet(), random: () => jitter.next() });
    const receives = new Map<string, number[]>();
    const noting = async (event: SQSEvent, context: Parameters<typeof handler>[1]) => {
      for (const record of event.Records) {
        const batchId = record.messageAttributes['batchId']?.stringValue ?? '?';
        receives.set(batchId, [...(receives.get(batchId) ?? []), Number(record.attributes.ApproximateReceiveCount)]);
      }
      return handler(event, context);
    };
    return { driver: new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler: noting, ...options }), receives };
  }

  const count = (url: string): Promise<number> => queueMessageCount(sqs, url);

  /** The SIEM answers 503 from its first request on, for `seconds` (forever when undefined). */
  function outage(seconds?: number): { endsAt: () => number | undefined; end: () => void } {
    let startedAt: number | undefined;
    let ended = false;
    receiver.rejectWhen(() => {
      startedAt ??= Date.now();
      const over = ended || (seconds !== undefined && Date.now() >= startedAt + seconds * 1000);
      return over ? undefined : 503;
    });
    return { endsAt: () => (startedAt === undefined || seconds === undefined ? undefined : startedAt + seconds * 1000), end: () => { ended = true; } };
  }

  it(`rides out a SIEM outage of RETRY_MAX_SECONDS with ${window.maxReceiveCount} receives: nothing dead-lettered, each event delivered once (jitter seed ${JITTER_SEED})`, async () => {
    const batches = batchesOf(3, 31);
    outage(BACKOFF.maxSeconds);
    await new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl }).enqueue(batches);
    const { driver, receives } = forwarder();
    await driver.runUntil(async () => receiver.received().length >= 3 && (await count(queues.queueUrl)) === 0, { timeoutMs: 30_000 });

    expect(idsOf(receiver.received())).toEqual(batches.flatMap(({ events }) => events.map(({ id }) => id)).sort());
    expect(await count(queues.dlqUrl)).toBe(0);
    // It was an outage: every message failed at least once, and none needed more receives than the queue allows.
    for (const batch of batches) {
      expect(receives.get(batch.batchId)!.length).toBeGreaterThan(1);
      expect(Math.max(...receives.get(batch.batchId)!)).toBeLessThanOrEqual(window.maxReceiveCount);
    }
  });

  it('dead-letters a message only after the window when the outage lasts longer; dlq shows it, and a redrive delivers it once', async () => {
    const [batch] = batchesOf(1, 32);
    const down = outage();
    await new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl }).enqueue([batch!]);
    const { driver, receives } = forwarder();
    const firstTry = Date.now();
    await driver.runUntil(async () => (await count(queues.dlqUrl)) === 1, { timeoutMs: 30_000 });
    // SQS moved it after maxReceiveCount failed receives, which the minimum waits keep apart by the window.
    expect(receives.get(batch!.batchId)).toEqual(Array.from({ length: window.maxReceiveCount }, (_, index) => index + 1));
    expect(Date.now() - firstTry).toBeGreaterThanOrEqual(window.ridesOutSeconds * 1000);
    const [dead] = await inspectDeadLetters(sqs, { queueUrl: queues.dlqUrl, max: 10 });
    expect(dead).toMatchObject({ reason: null, batchId: batch!.batchId, realm: REALM, stream: 'user', events: 1 });

    down.end();
    await redriveDeadLetters(sqs, { deadLetterQueueUrl: queues.dlqUrl, queueUrl: queues.queueUrl });
    await driver.runUntil(async () => receiver.received().length >= 1 && (await count(queues.queueUrl)) === 0, { timeoutMs: 30_000 });
    expect(idsOf(receiver.received())).toEqual([batch!.events[0]!.id]);
  });

  it('sends the records it had no time for back as new messages and reports them done: they keep every receive', async () => {
    const batches = batchesOf(6, 33);
    // The first request hangs until the invocation's deadline (3 s timeout, 0.6 s kept back) aborts it.
    receiver.hangNext(1);
    await new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl }).enqueue(batches);
    const { driver, receives } = forwarder({ functionTimeoutMs: 3_000 });
    await driver.runUntil(() => driver.rounds.length >= 1, { timeoutMs: 15_000 });
    const [first] = driver.rounds;
    // Only the record that was tried is left failed; the others were sent back, not failed.
    expect(first).toMatchObject({ received: 6 });
    expect(first!.failed).toHaveLength(1);

    await driver.runUntil(async () => receiver.received().length >= 6 && (await count(queues.queueUrl)) === 0, { timeoutMs: 30_000 });
    expect(idsOf(receiver.received())).toEqual(batches.flatMap(({ events }) => events.map(({ id }) => id)).sort());
    // Every record sent back came back as a fresh message: its next receive is its first.
    const counts = batches.map(({ batchId }) => receives.get(batchId)!);
    expect(counts.filter((seen) => seen.length > 1 && seen[1] === 1)).toHaveLength(5);
    expect(counts.filter((seen) => seen[1] === 2)).toHaveLength(1);
    expect(await count(queues.dlqUrl)).toBe(0);
  });
});

/** `count` one-event user batches, generated from `seed`. */
function batchesOf(count: number, seed: number): EventBatch[] {
  return generateEvents({ seed, realm: REALM, count, startTime: Date.parse('2025-03-04T09:00:00.000Z'), adminShare: 0 }).user.map((event) => ({
    v: 1,
    tenant: TENANT,
    realm: REALM,
    stream: 'user',
    batchId: batchIdFor(TENANT, REALM, 'user', [eventKey(event)]),
    events: [event],
  }));
}

/** The received events' ids, sorted: a repeat or a loss changes the list. */
function idsOf(items: readonly ReceivedItem[]): Array<string | undefined> {
  return items.map((item) => (item.json as { event: MpasEvent }).event.id).sort();
}
