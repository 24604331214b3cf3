import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { createPollerHandler } from '../../../functions/poller.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { InvocationOutcome } from '../../../lib/aws/read-while-events-flow.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { cleanupAwsFixtures, createQueuePair, dynamoClient, lambdaPipelineEnv, lambdaSecrets, queueMessageCount, sqsClient } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';

const T = Date.parse('2026-12-04T08:32:00.000Z');
const REALM = 'acme';
const TENANT = 'acme-rereads';
const SIEM_TOKEN = 'siem-token-for-tests';
const SETTLE_MS = 5_000;
const INTERVAL_MS = 5_000;
const quiet = (): Logger => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
/** What EventBridge Scheduler sends for the run due at `at` (infra/constructs/poller-function.ts). */
const scheduled = (at: number) => ({ scheduledTime: new Date(at).toISOString(), scheduleSeconds: 60 });

describe('the poller Lambda re-reading between scheduled runs, on DynamoDB Local and fauxqs', () => {
  let simulator: MpasSimulator | undefined;
  let receiver: SiemReceiver | undefined;
  afterEach(async () => {
    await simulator?.close();
    await receiver?.close();
    await cleanupAwsFixtures();
  });

  it('reads every POLL_INTERVAL_MS until the next run, which takes over at once even after a stop between two reads; an early run leaves; each event reaches the SIEM once', async () => {
    const clock = new ManualClock(T);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: 4 });
    receiver = await startSiemReceiver({ auth: { bearerToken: SIEM_TOKEN } });
    // Four events a second from a minute before the first run to the end of the third: the
    // poller sees each once it is older than the settle window, as Keycloak's traffic.
    const generated = generateEvents({ seed: 6, realm: REALM, count: 960, startTime: T - 60_000, spacingMs: 250, adminShare: 0.25 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    const sqs: SQSClient = sqsClient();
    const queues = await createQueuePair('rereads', { maxReceiveCount: 10, visibilityTimeoutSeconds: 5 });
    const env = await lambdaPipelineEnv(
      { tenant: TENANT, realm: REALM, mpasUrl: simulator.url, startFrom: T - 61_000, siemUrl: `${receiver.url}/ingest`, queues },
      { MPAS_SETTLE_MS: String(SETTLE_MS), POLL_INTERVAL_MS: String(INTERVAL_MS) },
    );
    const secrets = lambdaSecrets(SIEM_TOKEN);
    const load = (): Promise<LambdaConfig> => loadLambdaConfig({ env, secrets: async (arn) => secrets[arn] });
    let pauses = 0;
    let onPause: (pause: number) => Promise<void> | 'freeze' = async () => undefined;
    const sleep: Sleep = async (ms) => {
      clock.advance(ms);
      const next = onPause(++pauses);
      if (next === 'freeze') return new Promise<void>(() => undefined);
      await next;
    };
    const handler = createPollerHandler({ load, dynamodb: dynamoClient(), sqs, clock, sleep, logger: quiet() }) as unknown as (event: unknown, context: Context) => Promise<InvocationOutcome>;
    const context = (): Context => fakeLambdaContext({ functionName: 'poller', timeoutMs: 75_000 });

    // The run due at T; in its third pause an invocation by hand comes early.
    let early: InvocationOutcome | undefined;
    const firstContext = context();
    onPause = async (pause) => {
      if (pause === 3) early = await handler({}, context());
    };
    const first = await handler(scheduled(T), firstContext);
    expect(early).toEqual({ status: 'lease-busy', holder: firstContext.awsRequestId, reads: 1, ended: 'one-read' });
    const all = [...generated.user, ...generated.admin];
    // Its last read, at T + 55 s, read up to T + 50 s.
    expect(first).toMatchObject({ status: 'complete', reads: 12, ended: 'next-invocation', events: all.filter((event) => event.time <= T + 50_000).length });

    // The run due at T + 60 s is stopped (frozen by Lambda) in its second pause: its lease runs out at the hand-over.
    clock.set(T + 60_000);
    pauses = 0;
    onPause = (pause) => (pause === 2 ? 'freeze' : Promise.resolve());
    void handler(scheduled(T + 60_000), context());
    await expect.poll(() => pauses, { timeout: 20_000 }).toBe(2);
    const cursor = new DynamoDbCursorStore({ client: dynamoClient(), tableName: env['CURSOR_TABLE_NAME']!, tenant: TENANT });
    expect((await cursor.read()).lease?.leaseUntil).toBe(T + 118_000);

    // The run due at T + 120 s takes the lease at once and reads on from where the stopped one committed.
    clock.set(T + 120_000);
    onPause = async () => undefined;
    const third = await handler(scheduled(T + 120_000), context());
    expect(third).toMatchObject({ status: 'complete', reads: 12, ended: 'next-invocation' });
    expect((await cursor.read()).lease).toBeUndefined();

    const forwarder = createForwarderHandler({ load, dynamodb: dynamoClient(), sqs, logger: quiet() });
    const driver = new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler: forwarder });
    const readUpTo = T + 175_000 - SETTLE_MS;
    const expected = all.filter((event) => event.time <= readUpTo).map((event) => event.id).sort();
    await driver.runUntil(async () => receiver!.received().length >= expected.length && (await queueMessageCount(sqs, queues.queueUrl)) === 0, { timeoutMs: 60_000 });
    const delivered = receiver.received().map((item) => (item.json as { event: { id: string } }).event.id).sort();
    expect(delivered).toEqual(expected);
  }, 120_000);
});
