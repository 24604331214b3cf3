import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
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
import { eventKey } from '../../../lib/core/events/event-key.js';
import { MpasClient } from '../../../lib/sources/mpas/mpas-client.js';
import type { EventSource } from '../../../lib/core/poller/event-source.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../lib/core/poller/poll-tenant.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../../lib/core/queue/event-queue.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, createIdempotencyTable, createQueuePair, dynamoClient, sqsClient } from '../../support/aws-fixtures.js';
import type { QueuePair } from '../../support/aws-fixtures.js';
import { SqsEventSourceDriver } from '../../support/sqs-event-source-driver.js';
import { SimulatedCrash, crashingAtCommit } from '../../support/crashing-cursor-store.js';
import { trackInFlightWrites } from '../../support/in-flight-writes.js';

// Seeds the events and the forwarder's jitter; FAULT_SEED=<n> replays a failing run.
const SEED = Number(process.env.FAULT_SEED ?? 4_711);
const NOW = Date.parse('2025-03-04T10:00:00.000Z');
const REALM = 'acme';
const TENANT = 'acme';
const LEASE_MS = 60_000;
const PAGE_SIZE = 200;
const EVENTS = 3_000;
const seedNote = `(seed ${SEED}; replay with FAULT_SEED=${SEED})`;

/** Every batch the poller enqueued (to SQS as well), for counting keys and batch ids. */
class TeeQueue implements EventQueue {
  readonly batches: EventBatch[] = [];
  constructor(private readonly inner: EventQueue) {}
  async enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    await this.inner.enqueue(batches, options);
    this.batches.push(...batches);
  }
}

function countKeys(batches: readonly EventBatch[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const batch of batches) for (const event of batch.events) counts.set(eventKey(event), (counts.get(eventKey(event)) ?? 0) + 1);
  return counts;
}

describe('pollers, crashes and leases on DynamoDB Local and fauxqs', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let sqs: SQSClient;
  let queues: QueuePair;
  let cursorTable: string;
  let env: Record<string, string>;
  let expectedIds: string[];
  let queue: TeeQueue;

  beforeEach(async () => {
    // The forwarder's EMF metrics would flood the test output; Powertools reads this at construction.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: SEED });
    receiver = await startSiemReceiver();
    sqs = sqsClient();
    queues = await createQueuePair('leases', { maxReceiveCount: 10, visibilityTimeoutSeconds: 30 });
    cursorTable = await createCursorTable();
    queue = new TeeQueue(new SqsEventQueue({ client: sqs, queueUrl: queues.queueUrl }));
    const generated = generateEvents({ seed: SEED, realm: REALM, count: EVENTS, startTime: NOW - 3_600_000, spacingMs: 1_000, adminShare: 0.3 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    expectedIds = [...generated.user, ...generated.admin].map(({ id }) => id as string).sort();
    env = {
      TENANT,
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: REALM,
      MPAS_USERNAME: 'mpas-log-sync',
      MPAS_PASSWORD: 'mpas-log-sync',
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'ndjson',
      CURSOR_TABLE_NAME: cursorTable,
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

  function client(): MpasClient {
    return new MpasClient({
      baseUrl: simulator.url,
      authRealm: 'master',
      credentials: { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' },
      clock,
      sleep: async () => undefined,
    });
  }

  function poller(owner: string, overrides: Partial<PollTenantOptions> = {}): PollTenantOptions {
    return {
      tenant: TENANT,
      owner,
      realms: [REALM],
      streams: ['user', 'admin'],
      source: client(),
      store: new DynamoDbCursorStore({ client: dynamoClient(), tableName: cursorTable, tenant: TENANT }),
      queue,
      clock,
      settleMs: 5_000,
      pageSize: PAGE_SIZE,
      leaseMs: LEASE_MS,
      startFrom: NOW - 2 * 3_600_000,
      ...overrides,
    };
  }

  /** Every generated event was enqueued at least once; returns the keys enqueued more than once. */
  function expectEveryEventEnqueued(): Map<string, number> {
    const counts = countKeys(queue.batches);
    const missing = expectedIds.filter((id) => !counts.has(id));
    expect(missing, `events never enqueued ${seedNote}`).toEqual([]);
    expect(counts.size, `unknown events enqueued ${seedNote}`).toBe(expectedIds.length);
    return new Map([...counts].filter(([, count]) => count > 1));
  }

  /** Every batch id that was enqueued twice holds the same events both times (so idempotency may drop one). */
  function expectRepeatsShareBatchIds(repeated: ReadonlyMap<string, number>): void {
    const byId = new Map<string, string[]>();
    for (const batch of queue.batches) {
      const keys = batch.events.map((event) => eventKey(event)).join(',');
      byId.set(batch.batchId, [...(byId.get(batch.batchId) ?? []), keys]);
    }
    for (const [batchId, contents] of byId) expect(new Set(contents).size, `batch ${batchId} with different contents`).toBe(1);
    // A repeated event sits in a repeated batch: it comes again only with the same id.
    const repeatedBatches = [...byId].filter(([, contents]) => contents.length > 1).flatMap(([, contents]) => contents[0]?.split(',') ?? []);
    expect([...repeated.keys()].sort(), `repeats outside repeated batches ${seedNote}`).toEqual([...new Set(repeatedBatches)].sort());
  }

  /** Runs the forwarder Lambda over the queue until it is empty and checks the SIEM got each event once. */
  async function forwardAndExpectExactlyOnce(): Promise<void> {
    const jitter = createRandom(SEED);
    const handler = createForwarderHandler({
      load: () => loadLambdaConfig({ env, secrets: async () => undefined }),
      dynamodb: dynamoClient(),
      sqs,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      random: () => jitter.next(),
    });
    const driver = new SqsEventSourceDriver({ client: sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, handler });
    await driver.runUntil(async () => receiver.received().length >= expectedIds.length && (await queueIsEmpty()), { timeoutMs: 90_000 });
    const ids = receiver.received().map((item) => String((item.json as { event: { id: string } }).event.id)).sort();
    expect(ids.length, `events at the SIEM ${seedNote}`).toBe(expectedIds.length);
    expect(ids, `events at the SIEM ${seedNote}`).toEqual(expectedIds);
  }

  async function queueIsEmpty(): Promise<boolean> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Object.values(Attributes).every((count) => count === '0');
  }

  it('enqueues the page of a poller that crashed before its commit again under the same batch id, and forwards it once', async () => {
    const first = poller('poller-1');
    // Commit 1 pins the user stream's start, 2 commits its first page, 3 would commit its second.
    await expect(pollTenant({ ...first, store: crashingAtCommit(first.store, 3) })).rejects.toBeInstanceOf(SimulatedCrash);
    const beforeRestart = queue.batches.length;
    expect(beforeRestart, 'the crashed poller enqueued two pages').toBe(2);

    // The dead poller never released its lease: the next one waits it out, as the next scheduled run would.
    clock.advance(LEASE_MS + 1);
    expect(await pollTenant(poller('poller-2'))).toMatchObject({ status: 'complete', failures: [] });

    const repeated = expectEveryEventEnqueued();
    // (199 events, not 200: a page after the first starts at the committed millisecond, whose event the boundary drops.)
    expect(repeated.size, `one page enqueued twice ${seedNote}`).toBe(queue.batches[1]?.events.length);
    expect(queue.batches[beforeRestart]?.batchId, 'the re-read page has the crashed page\'s batch id').toBe(queue.batches[1]?.batchId);
    expectRepeatsShareBatchIds(repeated);
    await forwardAndExpectExactlyOnce();
  });

  it('lets exactly one of two pollers started together take the lease; the other reports lease-busy', async () => {
    const outcomes = await Promise.all([pollTenant(poller('poller-a')), pollTenant(poller('poller-b'))]);
    const statuses = outcomes.map((outcome) => outcome.status).sort();
    expect(statuses).toEqual(['complete', 'lease-busy']);
    const busy = outcomes.find((outcome) => outcome.status === 'lease-busy');
    expect(busy && 'holder' in busy ? busy.holder : undefined).toMatch(/^poller-[ab]$/);
    expect(expectEveryEventEnqueued().size, `events enqueued twice ${seedNote}`).toBe(0);
    await forwardAndExpectExactlyOnce();
  });

  it('stops a poller whose lease expired mid-run at its next commit while the successor finishes: nothing lost, repeats share batch ids', async () => {
    const successor: { outcome?: Awaited<ReturnType<typeof pollTenant>> } = {};
    const first = poller('poller-slow');
    const writes = trackInFlightWrites(first.queue, first.store);
    let pages = 0;
    let pagesAfterTakeover = 0;
    // The slow poller stalls on its 4th page (a GC pause, a slow network): its lease runs out,
    // the next scheduled poller takes over and finishes, then the stalled page comes back.
    const stalling: EventSource = {
      apiMode: (realm, options) => first.source.apiMode(realm, options),
      getEvents: async (query, signal) => {
        pages += 1;
        if (successor.outcome) pagesAfterTakeover += 1;
        const page = await first.source.getEvents(query, signal);
        if (pages === 4) {
          // The third page's commit, still in flight, would otherwise renew the lease at the moved clock.
          await writes.settled();
          clock.advance(LEASE_MS + 1);
          successor.outcome = await pollTenant(poller('poller-next'));
        }
        return page;
      },
    };
    const outcome = await pollTenant({ ...first, queue: writes.queue, store: writes.store, source: stalling });

    expect(successor.outcome).toMatchObject({ status: 'complete', failures: [] });
    expect(outcome.status, 'the stalled poller learns at its commit that the lease is gone').toBe('lease-lost');
    expect(pagesAfterTakeover, 'and reads nothing more').toBe(0);
    const repeated = expectEveryEventEnqueued();
    expect(repeated.size, `the stalled page, enqueued before its commit failed, is the only repeat ${seedNote}`).toBeGreaterThan(0);
    expect(repeated.size, `only the stalled page is enqueued twice ${seedNote}`).toBeLessThanOrEqual(PAGE_SIZE);
    expectRepeatsShareBatchIds(repeated);
    await forwardAndExpectExactlyOnce();
  });
});
