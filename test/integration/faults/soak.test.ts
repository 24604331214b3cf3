import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForwarderHandler } from '../../../functions/forwarder.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollOutcome } from '../../../lib/core/poller/poll-tenant.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, createIdempotencyTable, createQueuePair, dynamoClient, queueMessageCount, sqsClient } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';
import { SimulatedCrash, crashingAtCommit } from '../../support/crashing-cursor-store.js';
import { simulatorClient } from '../../support/simulator-client.js';

// Every fault is drawn from this seed; FAULT_SEED=<n> replays a failing run.
const SEED = Number(process.env.FAULT_SEED ?? 90_210);
const NOW = Date.parse('2025-03-04T10:00:00.000Z');
const REALM = 'acme';
const TENANT = 'acme';
const LEASE_MS = 60_000;
const EVENTS = 20_000;
// Rounds with injected faults; after them the pipeline runs clean until everything arrived.
const FAULT_ROUNDS = 8;
const seedNote = `(seed ${SEED}; replay with FAULT_SEED=${SEED})`;

describe('soak: 20,000 events through the Lambda pipeline with seeded faults everywhere', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let sqs: SQSClient;
  let queues: QueuePair;
  let env: Record<string, string>;

  beforeEach(async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: SEED, tokenLifetimeMs: 30_000 });
    receiver = await startSiemReceiver();
    sqs = sqsClient();
    // A short visibility timeout: a slow forwarder's messages come back to the other one.
    queues = await createQueuePair('soak', { maxReceiveCount: 50, visibilityTimeoutSeconds: 2 });
    env = {
      TENANT,
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: REALM,
      MPAS_USERNAME: 'mpas-log-sync',
      MPAS_PASSWORD: 'mpas-log-sync',
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'ndjson',
      // Far above the slow SIEM's latency (2.5 s): a request that times out after the SIEM stored
      // it is a duplicate no sender can prevent, so only a hang, which stores nothing, may time
      // out here; a stall of the loaded machine of several seconds must not (4 s failed to a 2 s one).
      SIEM_TIMEOUT_MS: '10000',
      SIEM_ATTEMPTS: '2',
      CURSOR_TABLE_NAME: await createCursorTable(),
      IDEMPOTENCY_TABLE_NAME: await createIdempotencyTable(),
      QUEUE_URL: queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: queues.dlqUrl,
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '2',
    };
  });

  afterEach(async () => {
    await simulator?.close();
    await receiver?.close();
    await cleanupAwsFixtures();
    vi.unstubAllEnvs();
  });

  const queueIsEmpty = async (url: string): Promise<boolean> => (await queueMessageCount(sqs, url)) === 0;

  it('delivers every event exactly once', async () => {
    const random = createRandom(SEED);
    const generated = generateEvents({ seed: SEED, realm: REALM, count: EVENTS, startTime: NOW - 6 * 3_600_000, spacingMs: 1_000, adminShare: 0.3 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    const expectedIds = [...generated.user, ...generated.admin].map(({ id }) => String(id)).sort();

    const source = simulatorClient(simulator, clock);
    const store = new DynamoDbCursorStore({ client: dynamoClient(), tableName: env.CURSOR_TABLE_NAME as string, tenant: TENANT });
    const queue = new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl });
    const forwarder = (): SqsEventSourceDriver => {
      const jitter = createRandom(random.uint32());
      const handler = createForwarderHandler({
        load: () => loadLambdaConfig({ env, secrets: async () => undefined }),
        dynamodb: dynamoClient(),
        sqs,
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        random: () => jitter.next(),
      });
      return new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler });
    };
    // Two forwarders at once, as Lambda runs several: a redelivered message meets its first copy still in progress.
    const forwarders = [forwarder(), forwarder()];
    const faults: string[] = [];

    let last: PollOutcome | undefined;
    for (let round = 0; round < FAULT_ROUNDS || !(last?.status === 'complete' && last.failures.length === 0); round += 1) {
      expect(round, `the pipeline never caught up ${seedNote}; faults: ${faults.join(', ')}`).toBeLessThan(FAULT_ROUNDS + 10);
      const faulty = round < FAULT_ROUNDS;
      // The next scheduled poller, a minute or more later: a crashed one's lease has expired.
      clock.advance(LEASE_MS + 1);
      if (faulty && random.chance(0.5)) {
        const burst = { count: random.int(1, 4), status: random.pick([429, 500] as const), retryAfterSeconds: 0 };
        faults.push(`round ${round}: MPAS ${burst.status} x${burst.count}`);
        simulator.faults.failNext(burst);
      }
      if (faulty && random.chance(0.3)) {
        faults.push(`round ${round}: tokens revoked`);
        simulator.faults.revokeAllTokens();
      }
      const crashAt = faulty && random.chance(0.5) ? random.int(2, 12) : undefined;
      if (crashAt !== undefined) faults.push(`round ${round}: poller crash at commit ${crashAt}`);
      try {
        last = await pollTenant({
          tenant: TENANT,
          owner: `poller-${round}`,
          realms: [REALM],
          streams: ['user', 'admin'],
          source,
          store: crashAt === undefined ? store : crashingAtCommit(store, crashAt),
          queue,
          clock,
          settleMs: 5_000,
          pageSize: random.pick([250, 500, 1_000]),
          leaseMs: LEASE_MS,
          startFrom: NOW - 7 * 3_600_000,
        });
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        last = undefined;
      }

      if (faulty && random.chance(0.5)) {
        const failure = { count: random.int(1, 3), status: random.pick([429, 503]), retryAfterSeconds: 1 };
        faults.push(`round ${round}: SIEM ${failure.status} x${failure.count}`);
        receiver.failNext(failure);
      }
      if (faulty && random.chance(0.3)) {
        faults.push(`round ${round}: SIEM hangs`);
        receiver.hangNext(1);
      }
      // A slow SIEM makes a forwarder outlive the message's visibility timeout: SQS redelivers.
      const slow = faulty && random.chance(0.3);
      if (slow) faults.push(`round ${round}: SIEM slow (redeliveries)`);
      receiver.setLatency(slow ? 2_500 : 0);
      for (let turn = 0; turn < 2; turn += 1) await Promise.all(forwarders.map((driver) => driver.pollOnce()));
    }

    receiver.setLatency(0);
    const [driver] = forwarders;
    await driver?.runUntil(async () => receiver.received().length >= expectedIds.length && (await queueIsEmpty(queues.queueUrl)), { timeoutMs: 100_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${receiver.received().length} of ${expectedIds.length} arrived ${seedNote}; faults: ${faults.join(', ')}`);
    });

    const ids = receiver.received().map((item) => String((item.json as { event: { id: string } }).event.id)).sort();
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const lost = expectedIds.filter((id) => !counts.has(id));
    const duplicated = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    expect(lost.length, `lost ${seedNote}; faults: ${faults.join(', ')}`).toBe(0);
    expect(duplicated.length, `duplicated ${seedNote}; faults: ${faults.join(', ')}`).toBe(0);
    expect(ids).toEqual(expectedIds);
    expect(await queueIsEmpty(queues.dlqUrl), `dead letters ${seedNote}`).toBe(true);
    // The faults did happen: the test would prove little otherwise.
    expect(faults.length, `faults injected ${seedNote}`).toBeGreaterThan(5);
  }, 240_000);
});
