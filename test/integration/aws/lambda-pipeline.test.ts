import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { redriveDeadLetters } from '../../../lib/aws/dlq-tools.js';
import { createPollerHandler } from '../../../functions/poller.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { canonicalJson, eventKey } from '../../../lib/core/events/event-key.js';
import { toEnvelope } from '../../../lib/core/formats/json-envelope.js';
import { scrubCredentials } from '../../../lib/core/pipeline/credential-scrubber.js';
import { DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS, createRedactor } from '../../../lib/core/pipeline/redactor.js';
import type { AdminEvent, MpasEvent, UserEvent } from '../../../lib/core/events/event-schemas.js';
import { batchIdFor } from '../../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createQueuePair, dynamoClient, lambdaPipelineEnv, lambdaSecrets, queueMessageCount, sqsClient } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const NOW = Date.parse('2025-03-04T10:00:00.000Z');
const REALM = 'acme';
const TENANT = 'acme-test';
const SIEM_TOKEN = 'siem-token-for-tests';
const SECRETS = lambdaSecrets(SIEM_TOKEN);
// The backoff's jitter; fixed so a failing run can be repeated.
const JITTER_SEED = 42;
const jitter = createRandom(JITTER_SEED);
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('poller and forwarder Lambdas on DynamoDB Local, fauxqs, the MPAS simulator and the SIEM receiver', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let sqs: SQSClient;
  let queues: QueuePair;
  let env: Record<string, string>;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: 3 });
    receiver = await startSiemReceiver({ auth: { bearerToken: SIEM_TOKEN } });
    sqs = sqsClient();
    queues = await createQueuePair('events', { maxReceiveCount: 10, visibilityTimeoutSeconds: 5 });
    env = await lambdaPipelineEnv({ tenant: TENANT, realm: REALM, mpasUrl: simulator.url, startFrom: NOW - 2 * 3_600_000, siemUrl: `${receiver.url}/ingest`, queues });
  });

  afterEach(async () => {
    await simulator?.close();
    await receiver?.close();
    await cleanupAwsFixtures();
  });

  const load = (): Promise<LambdaConfig> => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn] });

  function poller() {
    return createPollerHandler({ load, dynamodb: dynamoClient(), sqs, clock, logger: quiet() });
  }

  function driver(options: { waitTimeSeconds?: number } = {}): SqsEventSourceDriver {
    const handler = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, logger: quiet(), random: () => jitter.next() });
    return new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler, ...options });
  }

  async function enqueue(...batches: EventBatch[]): Promise<void> {
    await new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl }).enqueue(batches);
  }

  const queueIsEmpty = async (url = queues.queueUrl): Promise<boolean> => (await queueMessageCount(sqs, url)) === 0;

  async function deadLetters(expected: number): Promise<Message[]> {
    const found: Message[] = [];
    for (let round = 0; round < 20 && found.length < expected; round++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      );
      found.push(...Messages);
    }
    return found;
  }

  it('delivers 2,000 events of both streams exactly once, redacted as the seed shows', async () => {
    const generated = generateEvents({ seed: 5, realm: REALM, count: 2_000, startTime: NOW - 3_600_000, spacingMs: 1_000, adminShare: 0.3 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);

    const outcome = await poller()(undefined, fakeLambdaContext({ functionName: 'poller' }));
    expect(outcome).toMatchObject({ status: 'complete', events: 2_000, failures: [] });

    const forwarder = driver();
    await forwarder.runUntil(() => receiver.received().length >= 2_000, { timeoutMs: 60_000 });
    await forwarder.runUntil(() => queueIsEmpty(), { timeoutMs: 20_000 });

    const ids = idsOf(receiver.received());
    expect(ids).toEqual([...generated.user, ...generated.admin].map(({ id }) => id).sort());
    let masked = 0;
    for (const item of receiver.received()) {
      const envelope = item.json as { eventType: string; event: Record<string, unknown> };
      if (envelope.eventType === 'user-event') {
        const event = envelope.event as UserEvent;
        if (event.ipAddress !== undefined) expect(event.ipAddress).toBe('<redacted>');
        if (event.ipAddress === '<redacted>') masked += 1;
        if (event.details?.['username'] !== undefined) expect(event.details['username']).toBe('<redacted>');
      } else {
        const event = envelope.event as { representation?: unknown; authDetails?: { ipAddress?: unknown } };
        if (event.representation !== undefined) expect(event.representation).toBe('<redacted>');
        if (event.authDetails?.ipAddress !== undefined) expect(event.authDetails.ipAddress).toBe('<redacted>');
      }
    }
    // Most generated user events carry an address: the checks above were not vacuous.
    expect(masked).toBeGreaterThan(generated.user.length / 2);
    expect(await queueIsEmpty(queues.dlqUrl)).toBe(true);
  });

  it('reads a Keycloak older than 26.2 (dates only, newest first, no ids) and delivers each event once', async () => {
    simulator.setMode('legacy');
    const generated = generateEvents({ seed: 8, realm: REALM, count: 1_200, startTime: NOW - 30 * 3_600_000, spacingMs: 60_000, adminShare: 0.3, withIds: false });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    env.MPAS_START_FROM = String(NOW - 31 * 3_600_000);

    const outcome = await poller()(undefined, fakeLambdaContext({ functionName: 'poller' }));
    expect(outcome).toMatchObject({ status: 'complete', failures: [] });
    const forwarder = driver();
    await forwarder.runUntil(async () => receiver.received().length >= 1_200 && (await queueIsEmpty()), { timeoutMs: 60_000 });

    // Without ids, events are compared whole, as the SIEM sees them (scrubbed, then redacted);
    // events equal in every field are one event (a documented limit of those servers).
    const redact = createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS });
    const distinct = new Map<string, { stream: 'user' | 'admin'; event: MpasEvent }>();
    for (const event of generated.user) distinct.set(canonicalJson(event), { stream: 'user', event });
    for (const event of generated.admin) distinct.set(canonicalJson(event), { stream: 'admin', event });
    const expected = [...distinct.values()]
      .map(({ stream, event }) => canonicalJson(toEnvelope(redact(stream === 'admin' ? scrubCredentials(event as AdminEvent) : event, stream), stream)))
      .sort();
    const received = receiver.received().map((item) => canonicalJson(item.json)).sort();
    expect(received).toEqual(expected);
  });

  it('waits out SIEM 429s with Retry-After and a timed-out request, then delivers each event once', async () => {
    // Every request that is answered must be answered within it too: at 500 ms, a stall of the
    // loaded machine timed out answered requests, and their events came twice.
    env.SIEM_TIMEOUT_MS = '2000';
    const generated = generateEvents({ seed: 9, realm: REALM, count: 300, startTime: NOW - 3_600_000, spacingMs: 5_000 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    await poller()(undefined, fakeLambdaContext({ functionName: 'poller' }));
    receiver.failNext({ count: 2, status: 429, retryAfterSeconds: 1 });
    receiver.hangNext(1);

    const forwarder = driver();
    await forwarder.runUntil(async () => receiver.received().length >= 300 && (await queueIsEmpty()), { timeoutMs: 60_000 });
    expect(idsOf(receiver.received())).toEqual([...generated.user, ...generated.admin].map(({ id }) => id).sort());
    expect(receiver.stats().byStatus[429]).toBe(2);
    expect(receiver.stats().hung).toBe(1);
    expect(await queueIsEmpty(queues.dlqUrl)).toBe(true);
  });

  it('fails the poller invocation, logging at error, when MPAS refuses the user (403)', async () => {
    env['MPAS_SECRET_ARN'] = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:weak';
    SECRETS[env['MPAS_SECRET_ARN']] = JSON.stringify({ username: 'weak', password: 'weak' });
    await simulator.close();
    simulator = await startMpasSimulator({
      clock,
      realms: [REALM],
      users: [{ username: 'weak', password: 'weak', roles: [] }],
    });
    env['MPAS_BASE_URL'] = simulator.url;
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'test', logLevel: 'ERROR' });
    const handler = createPollerHandler({ load, dynamodb: dynamoClient(), sqs, clock, logger: capture(logger, lines) });
    await expect(handler(undefined, fakeLambdaContext({ functionName: 'poller' }))).rejects.toThrow(/could not read 2 stream/);
    expect(lines.filter((line) => line.includes('mpas-auth'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('"weak"');
  });

  it('forwards a batch enqueued twice (a poller crash before its commit) once', async () => {
    const batch = batchOf(generateEvents({ seed: 6, realm: REALM, count: 40, startTime: NOW - 60_000, adminShare: 0 }).user);
    await enqueue(batch);
    await enqueue(batch);
    const forwarder = driver();
    await forwarder.runUntil(async () => receiver.received().length >= 40 && (await queueIsEmpty()), { timeoutMs: 30_000 });
    expect(forwarder.rounds.reduce((sum, round) => sum + round.received, 0)).toBe(2);
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).sort());
  });

  it('dead-letters a malformed message with its reason and delivers everything else', async () => {
    const batch = batchOf(generateEvents({ seed: 7, realm: REALM, count: 15, startTime: NOW - 60_000, adminShare: 0 }).user);
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: '{"v":1,"batchId":"broken-1","events":"nope"}' }));
    await enqueue(batch);
    const forwarder = driver();
    await forwarder.runUntil(async () => receiver.received().length >= 15 && (await queueIsEmpty()), { timeoutMs: 30_000 });

    const [dead, ...more] = await deadLetters(1);
    expect(more).toEqual([]);
    expect(dead?.Body).toBe('{"v":1,"batchId":"broken-1","events":"nope"}');
    expect(dead?.MessageAttributes?.['reason']?.StringValue).toBe('invalid-message');
    expect(dead?.MessageAttributes?.['sourceMessageId']?.StringValue).toBe(sent.MessageId);
    expect(dead?.MessageAttributes?.['batchId']?.StringValue).toBe('broken-1');
    expect(dead?.MessageAttributes?.['detail']?.StringValue).toMatch(/tenant/);
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).sort());
  });

  it('dead-letters the one event the SIEM answers 400 for, as rejected-by-siem, and delivers the rest', async () => {
    env['SIEM_BATCH'] = 'single';
    const batch = batchOf(generateEvents({ seed: 8, realm: REALM, count: 12, startTime: NOW - 60_000, adminShare: 0 }).user);
    const refused = batch.events[4]!.id;
    receiver.rejectWhen((item) => ((item.json as { event: MpasEvent }).event.id === refused ? 400 : undefined));
    await enqueue(batch);
    const forwarder = driver();
    await forwarder.runUntil(async () => receiver.received().length >= 11 && (await queueIsEmpty()), { timeoutMs: 30_000 });

    const [dead, ...more] = await deadLetters(1);
    expect(more).toEqual([]);
    expect(dead?.MessageAttributes?.['reason']?.StringValue).toBe('rejected-by-siem');
    expect(dead?.MessageAttributes?.['detail']?.StringValue).toMatch(/400/);
    expect((JSON.parse(dead?.Body ?? '{}') as EventBatch).events.map(({ id }) => id)).toEqual([refused]);
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).filter((id) => id !== refused).sort());

    // At rest redacted as the SIEM would have received it, marked; a redrive delivers it once, as the others.
    const original = batch.events[4] as UserEvent;
    expect(dead?.Body).not.toContain(`"${original.ipAddress}"`);
    expect(dead?.Body).not.toContain(`"${original.details?.['username']}"`);
    expect(JSON.parse(dead?.Body ?? '{}')).toMatchObject({ route: 'default', redaction: expect.stringMatching(/^r1:/), events: [{ ipAddress: '<redacted>' }] });
    receiver.rejectWhen(() => undefined);
    // Received above: visible again at once, as dlq inspect leaves what it lists.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.dlqUrl, ReceiptHandle: dead!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(await redriveDeadLetters(sqs, { deadLetterQueueUrl: queues.dlqUrl, queueUrl: queues.queueUrl })).toMatchObject({ moved: 1 });
    await forwarder.runUntil(async () => receiver.received().length >= 12 && (await queueIsEmpty()), { timeoutMs: 30_000 });
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).sort());
    const redriven = receiver.received().find((item) => (item.json as { event: MpasEvent }).event.id === refused)!.json as { event: UserEvent };
    expect(redriven.event).toMatchObject({ ipAddress: '<redacted>', details: { username: '<redacted>' } });
  });

  it('backs off through the message visibility while the SIEM answers 503, then delivers once', async () => {
    const batch = batchOf(generateEvents({ seed: 9, realm: REALM, count: 20, startTime: NOW - 60_000, adminShare: 0 }).user);
    receiver.failNext({ count: 2, status: 503, retryAfterSeconds: 3 });
    await enqueue(batch);
    const forwarder = driver({ waitTimeSeconds: 0 });
    await forwarder.runUntil(() => forwarder.rounds.length >= 1, { timeoutMs: 10_000 });
    expect(forwarder.rounds[0]?.failed).toHaveLength(1);
    // Retry-After 3 s: the message is not visible again at once (the queue's own timeout is 5 s).
    expect((await forwarder.pollOnce()).received).toBe(0);

    await forwarder.runUntil(() => receiver.received().length >= 20, { timeoutMs: 30_000 });
    await forwarder.runUntil(() => queueIsEmpty(), { timeoutMs: 10_000 });
    expect(forwarder.rounds.filter((round) => round.received > 0).map((round) => round.failed.length)).toEqual([1, 1, 0]);
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).sort());
    expect(await queueIsEmpty(queues.dlqUrl)).toBe(true);
  });

  it('re-enqueues only the undelivered rest after a partial delivery, so nothing arrives twice', async () => {
    env['SIEM_BATCH'] = 'single';
    const batch = batchOf(generateEvents({ seed: 10, realm: REALM, count: 10, startTime: NOW - 60_000, adminShare: 0 }).user);
    const unlucky = new Set([batch.events[2]!.id, batch.events[7]!.id]);
    receiver.rejectWhen((item) => (unlucky.has((item.json as { event: MpasEvent }).event.id) ? 503 : undefined));
    await enqueue(batch);
    const forwarder = driver();
    await forwarder.runUntil(() => receiver.received().length >= 8, { timeoutMs: 30_000 });
    // The original message succeeded: the rest travels as a new message with its own batch id.
    expect(forwarder.rounds[0]).toMatchObject({ received: 1, failed: [] });
    receiver.rejectWhen(undefined);

    await forwarder.runUntil(async () => receiver.received().length >= 10 && (await queueIsEmpty()), { timeoutMs: 30_000 });
    expect(idsOf(receiver.received())).toEqual(batch.events.map(({ id }) => id).sort());
    expect(forwarder.rounds.filter((round) => round.received > 0)).toHaveLength(2);
  });
});

/** `logger` with its error lines also copied to `lines`. */
function capture(logger: Logger, lines: string[]): Logger {
  const error = logger.error.bind(logger) as (...args: unknown[]) => void;
  logger.error = (...args: unknown[]): void => {
    lines.push(JSON.stringify(args));
    error(...args);
  };
  return logger;
}

/** The received events' ids, sorted: a repeat or a loss changes the list. */
function idsOf(items: readonly ReceivedItem[]): Array<string | undefined> {
  return items.map((item) => (item.json as { event: MpasEvent }).event.id).sort();
}

function batchOf(events: MpasEvent[]): EventBatch {
  const batchId = batchIdFor(TENANT, REALM, 'user', events.map((event) => eventKey(event)));
  return { v: 1, tenant: TENANT, realm: REALM, stream: 'user', batchId, events };
}
