/**
 * Benchmark 3: the catch-up of benchmark 2 through the Lambda handlers (poller and forwarder, as
 * deployed, wired to DynamoDB Local and the fauxqs SQS emulator), with every AWS request counted
 * by operation and billing unit, per million events, and every byte the handlers log (their JSON
 * lines at the deployed level, INFO, and their metrics' EMF documents), then one quiet minute (60
 * events) and one idle minute (none). Its request counts, handler durations, log volumes and
 * metric series feed the cost model (benchmark 6).
 */
import { setTimeout } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createForwarderHandler } from '../functions/forwarder.js';
import { createPollerHandler } from '../functions/poller.js';
import { loadLambdaConfig } from '../lib/config/lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import { fakeLambdaContext } from '../test/support/lambda-context.js';
import { SqsEventSourceDriver } from '../test/support/sqs-event-source-driver.js';
import { countDynamoDbRequests, countSqsRequests } from './support/aws-request-counter.js';
import type { RequestCounts } from './support/aws-request-counter.js';
import { startAwsWorld } from './support/aws-world.js';
import { tapLogs } from './support/log-tap.js';
import type { LogTally } from './support/log-tap.js';
import { bulkEvents } from './support/event-pool.js';
import { BENCH_MPAS_USER, BENCH_REALM, BENCH_SIEM_TOKEN, startLocalWorld } from './support/local-world.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { median, percentile, rounded } from './support/stats.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const PAGE_SIZE = 1000;
const SPACING_MS = 20;
/** The stack's default function sizes (infra/config/deployment-schema.ts): the cost model bills these. */
const POLLER_MEMORY_MB = 512;
const FORWARDER_MEMORY_MB = 512;
const SECRETS: Record<string, string> = {
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:mpas': JSON.stringify(BENCH_MPAS_USER),
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem': JSON.stringify({ token: BENCH_SIEM_TOKEN }),
};

/** What `counts` gained since `before`. */
function difference(counts: RequestCounts, before: RequestCounts): RequestCounts {
  return Object.fromEntries(
    Object.entries(counts).map(([key, tally]) => [
      key,
      { requests: tally.requests - (before[key]?.requests ?? 0), billedUnits: tally.billedUnits - (before[key]?.billedUnits ?? 0), payloadBytes: tally.payloadBytes - (before[key]?.payloadBytes ?? 0) },
    ]),
  );
}

/** Times every call of a handler (the billed duration of a Lambda invocation). */
function timed<A extends unknown[], R>(handler: (...args: A) => Promise<R>, durations: number[]): (...args: A) => Promise<R> {
  return async (...args) => {
    const start = performance.now();
    try {
      return await handler(...args);
    } finally {
      durations.push(performance.now() - start);
    }
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const aws = await startAwsWorld();
  const world = await startLocalWorld();
  try {
    // The backlog ends three minutes ago, so the quiet minute measured after it is past the cursor.
    const startTime = Date.now() - EVENTS * SPACING_MS - 180_000;
    const backlog = bulkEvents({ realm: BENCH_REALM, count: EVENTS, startTime, spacingMs: SPACING_MS });
    world.simulator.add(BENCH_REALM, 'user', backlog.user);
    world.simulator.add(BENCH_REALM, 'admin', backlog.admin);
    const env: Record<string, string> = {
      TENANT: 'bench',
      MPAS_BASE_URL: world.simulator.url,
      MPAS_REALMS: BENCH_REALM,
      MPAS_AUTH_REALM: 'master',
      MPAS_START_FROM: String(startTime - 1000),
      MPAS_PAGE_SIZE: String(PAGE_SIZE),
      MPAS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:mpas',
      SIEM_URL: `${world.receiver.url}/ingest`,
      SIEM_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem',
      SIEM_BATCH: 'ndjson',
      CURSOR_TABLE_NAME: aws.cursorTableName,
      IDEMPOTENCY_TABLE_NAME: aws.idempotencyTableName,
      QUEUE_URL: aws.queueUrl,
      DEAD_LETTER_QUEUE_URL: aws.deadLetterQueueUrl,
    };
    const load = (): Promise<LambdaConfig> => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn] });
    const counts: RequestCounts = {};
    const clients = { poller: { dynamodb: aws.dynamodb(), sqs: aws.sqs() }, forwarder: { dynamodb: aws.dynamodb(), sqs: aws.sqs() }, driver: aws.sqs() };
    for (const { dynamodb, sqs } of [clients.poller, clients.forwarder]) {
      countDynamoDbRequests(dynamodb, counts);
      countSqsRequests(sqs, counts);
    }
    // The event source mapping's receives and deletes are SQS requests the tenant pays for too.
    countSqsRequests(clients.driver, counts);
    // As deployed (functions/*.ts): Powertools' default level, INFO, and the service's namespace.
    const quiet = (name: string) => ({ logger: new Logger({ serviceName: `mpas-log-sync-${name}`, logLevel: 'INFO' }), metrics: new Metrics({ namespace: 'MpasLogSync', serviceName: `mpas-log-sync-${name}` }) });
    const pollerDurations: number[] = [];
    const forwarderDurations: number[] = [];
    const pollerHandler = createPollerHandler({ load, ...clients.poller, ...quiet('poller') }) as (event: unknown, context: Context) => Promise<{ status: string; events?: number }>;
    const poller = timed(pollerHandler, pollerDurations);
    const forwarderHandler = createForwarderHandler({ load, ...clients.forwarder, ...quiet('forwarder') });
    const forwarder = timed(forwarderHandler, forwarderDurations);
    const driver = new SqsEventSourceDriver({ client: clients.driver, queueUrl: aws.queueUrl, queueArn: aws.queueArn, handler: forwarder, batchSize: 10, waitTimeSeconds: 1, functionTimeoutMs: 60_000 });

    // The handlers' log lines and EMF documents go to stdout, as in Lambda: counted, not shown.
    const logs = tapLogs();
    logs.phase('catch-up');
    const start = performance.now();
    let polled = 0;
    const pollAll = async (): Promise<void> => {
      for (;;) {
        const outcome = await poller(undefined, fakeLambdaContext({ functionName: 'poller', timeoutMs: 60_000 }));
        polled += outcome.events ?? 0;
        if (outcome.status === 'complete') return;
        if (outcome.status !== 'budget-spent') throw new Error(`poller: ${JSON.stringify(outcome)}`);
      }
    };
    await Promise.all([pollAll(), driver.runUntil(() => world.receiver.stats().itemsAccepted >= EVENTS, { timeoutMs: 1_800_000 })]);
    const seconds = (performance.now() - start) / 1000;
    if (polled !== EVENTS || world.receiver.stats().itemsAccepted !== EVENTS) throw new Error(`polled ${polled}, delivered ${world.receiver.stats().itemsAccepted} of ${EVENTS}`);

    // One quiet minute at 1 event/s, what the service does most of the time: 60 new events, one
    // scheduled poll, and the forwarder invocations they cause. The cost model's fixed part. As in
    // service, the events are newer than the end of the window the previous poll read (at most
    // `now - settle` when it returned); the minute is compressed into 3 s after that, and the poll
    // starts once they are all older than `settle`.
    const before = structuredClone(counts);
    logs.phase('quiet minute');
    const quietPoller: number[] = [];
    const quietForwarder: number[] = [];
    const { settleMs } = (await load()).config.mpas;
    const quietStart = Date.now() - settleMs + 1;
    const quiet60 = bulkEvents({ realm: BENCH_REALM, count: 60, startTime: quietStart, spacingMs: 50, seed: 2, poolSize: 60 });
    world.simulator.add(BENCH_REALM, 'user', quiet60.user);
    world.simulator.add(BENCH_REALM, 'admin', quiet60.admin);
    await setTimeout(quietStart + 60 * 50 + settleMs + 100 - Date.now());
    const quietPoll = timed(pollerHandler, quietPoller);
    await quietPoll(undefined, fakeLambdaContext({ functionName: 'poller', timeoutMs: 60_000 }));
    const quietDriver = new SqsEventSourceDriver({ client: clients.driver, queueUrl: aws.queueUrl, queueArn: aws.queueArn, handler: timed(forwarderHandler, quietForwarder), batchSize: 10, waitTimeSeconds: 1 });
    await quietDriver.runUntil(() => world.receiver.stats().itemsAccepted >= EVENTS + 60, { timeoutMs: 120_000 });
    const quietCounts = difference(counts, before);

    // One idle minute, what most tenants do most of the time: one scheduled poll, no event.
    logs.phase('idle minute');
    const beforeIdle = structuredClone(counts);
    const idlePoller: number[] = [];
    const idleOutcome = await timed(pollerHandler, idlePoller)(undefined, fakeLambdaContext({ functionName: 'poller', timeoutMs: 60_000 }));
    if (idleOutcome.events !== 0) throw new Error(`the idle poll read ${idleOutcome.events} events`);
    const idleCounts = difference(counts, beforeIdle);
    logs.stop();
    const logTallies = logs.tallies();
    const logOf = (phase: string): LogTally => logTallies[phase] ?? { bytes: 0, lines: 0, emfBytes: 0, metricSeries: [] };
    const perMillion = 1_000_000 / EVENTS;
    // The catch-up's own figures: the counts before the quiet minute.
    const rows = Object.entries(before)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([request, tally]) => ({
        request,
        count: tally.requests,
        'billed units': rounded(tally.billedUnits),
        'requests per 1M events': rounded(tally.requests * perMillion),
        'billed units per 1M events': rounded(tally.billedUnits * perMillion),
      }));
    const invocations = { poller: pollerDurations.length, forwarder: forwarderDurations.length };
    report({
      name: 'aws-catch-up',
      description: `${EVENTS.toLocaleString('en-US')} events through the poller and forwarder handlers on DynamoDB Local and fauxqs`,
      machine,
      parameters: {
        events: EVENTS, pageSize: PAGE_SIZE, eventSourceBatchSize: 10, siemBatch: 'ndjson', queueMaxMessageBytes: 1_048_576,
        sqsBillingUnit: '64 KiB of payload (bodies + message attributes; receives by what they return)',
        dynamodbBillingUnit: 'consumed capacity units as DynamoDB Local reports them (ReturnConsumedCapacity=TOTAL)',
        pollerMemoryMb: POLLER_MEMORY_MB, forwarderMemoryMb: FORWARDER_MEMORY_MB,
      },
      rows: [
        ...rows,
        { request: 'TOTAL events/s end to end', count: rounded(EVENTS / seconds) },
        { request: 'poller invocations (median ms)', count: invocations.poller, 'billed units': rounded(median(pollerDurations)) },
        { request: 'forwarder invocations (median ms)', count: invocations.forwarder, 'billed units': rounded(median(forwarderDurations)) },
        ...['catch-up', 'quiet minute', 'idle minute'].map((phase) => ({ request: `log bytes, ${phase} (lines)`, count: logOf(phase).bytes, 'billed units': logOf(phase).lines })),
      ],
      targets: [],
      notes: [
        `events/s end to end: ${rounded(EVENTS / seconds)} (${rounded(seconds)} s)`,
        'the event source mapping is played by test/support/sqs-event-source-driver.ts: its receives (long poll 1 s) and deletes are counted as the tenant pays for them',
        'log bytes: what the handlers write to stdout/stderr at INFO (JSON lines and EMF documents); Lambda\'s platform lines are not included',
      ],
      // The cost model reads these.
      data: {
        eventsPerSecond: EVENTS / seconds,
        perMillionEvents: Object.fromEntries(Object.entries(before).map(([key, tally]) => [key, { requests: tally.requests * perMillion, billedUnits: tally.billedUnits * perMillion }])),
        sendBytesPerEvent: (before['SQS SendMessageBatch']?.payloadBytes ?? 0) / EVENTS,
        quietMinute: {
          events: 60,
          requests: quietCounts,
          pollerMs: quietPoller,
          forwarderMs: quietForwarder,
          log: logOf('quiet minute'),
        },
        idleMinute: { requests: idleCounts, pollerMs: idlePoller, log: logOf('idle minute') },
        catchUpLog: { ...logOf('catch-up'), bytesPerEvent: logOf('catch-up').bytes / EVENTS, bytesPerForwarderInvocation: logOf('catch-up').bytes / Math.max(1, invocations.forwarder) },
        handlers: {
          poller: { invocations: invocations.poller, totalMs: pollerDurations.reduce((a, b) => a + b, 0), medianMs: median(pollerDurations), memoryMb: POLLER_MEMORY_MB },
          forwarder: {
            invocations: invocations.forwarder,
            totalMs: forwarderDurations.reduce((a, b) => a + b, 0),
            medianMs: median(forwarderDurations),
            p99Ms: percentile(forwarderDurations, 99),
            recordsPerInvocation: driver.rounds.reduce((sum, round) => sum + round.received, 0) / Math.max(1, driver.rounds.length),
            memoryMb: FORWARDER_MEMORY_MB,
          },
        },
      },
    });
  } finally {
    await world.close();
    await aws.close();
  }
}

await main();
