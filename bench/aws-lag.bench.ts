/**
 * Benchmark 7: lag on AWS. The poller and forwarder handlers, as deployed, on DynamoDB Local and
 * the fauxqs SQS emulator, the scheduler played at its real rate (a real minute between two
 * scheduled runs, each given a Lambda context with the function's default timeout, 75 s, and the
 * input EventBridge Scheduler sends), one run at a time as reserved concurrency 1 allows. A busy
 * tenant (the MPAS simulator producing 100 events/s) and an idle one (0 events/s) run side by
 * side, for each POLL_INTERVAL_MS measured. Lag: the time the SIEM receiver got an event minus
 * the event's `time`. Per setting, per minute: the poller's billed time and invocations, MPAS,
 * DynamoDB and SQS requests (data.settings, which the cost model reads).
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { startMpasSimulator } from '../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../devtools/siem-receiver/siem-receiver.js';
import { createForwarderHandler } from '../functions/forwarder.js';
import { createPollerHandler } from '../functions/poller.js';
import type { InvocationOutcome } from '../lib/aws/read-while-events-flow.js';
import { loadLambdaConfig } from '../lib/config/lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import { fakeLambdaContext } from '../test/support/lambda-context.js';
import { SqsEventSourceDriver } from '../test/support/sqs-event-source-driver.js';
import { countDynamoDbRequests, countSqsRequests } from './support/aws-request-counter.js';
import type { RequestCounts } from './support/aws-request-counter.js';
import { startAwsWorld } from './support/aws-world.js';
import type { AwsWorld } from './support/aws-world.js';
import { BENCH_MPAS_USER, BENCH_REALM, BENCH_SIEM_TOKEN } from './support/local-world.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { percentile, rounded } from './support/stats.js';
import type { AwsLagSetting } from './support/aws-lag-setting.js';

const RATE = 100;
const MINUTES = Number(process.env['BENCH_AWS_LAG_MINUTES'] ?? 2);
const INTERVALS = (process.env['BENCH_AWS_LAG_INTERVALS'] ?? '60000,10000,5000').split(',').map(Number);
const SETTLE_MS = 5000;
const SCHEDULE_MS = 60_000;
/** The poller's default timeout (infra/config/deployment-schema.ts). */
const POLLER_TIMEOUT_MS = 75_000;
const SECRETS: Record<string, string> = {
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:mpas': JSON.stringify(BENCH_MPAS_USER),
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem': JSON.stringify({ token: BENCH_SIEM_TOKEN }),
};

/** What one tenant did over the measured minutes. */
type TenantFigures = AwsLagSetting;

const sumRequests = (counts: RequestCounts, prefix: string): number =>
  Object.entries(counts).filter(([key]) => key.startsWith(prefix)).reduce((sum, [, tally]) => sum + tally.requests, 0);

const mpasRequests = (simulator: MpasSimulator): number =>
  Object.values(simulator.stats().requests).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

/** A tenant's poller, counted, started by a scheduler at the real rate; one run at a time. */
function scheduledPoller(options: { aws: AwsWorld; simulator: MpasSimulator; tenant: string; queueUrl: string; intervalMs: number; siemUrl: string }) {
  const env: Record<string, string> = {
    TENANT: options.tenant,
    MPAS_BASE_URL: options.simulator.url,
    MPAS_REALMS: BENCH_REALM,
    MPAS_AUTH_REALM: 'master',
    // Before the traffic starts: every event produced is read, the warm-up's too.
    MPAS_START_FROM: String(Date.now()),
    MPAS_SETTLE_MS: String(SETTLE_MS),
    MPAS_PAGE_SIZE: '1000',
    POLL_INTERVAL_MS: String(options.intervalMs),
    MPAS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:mpas',
    SIEM_URL: options.siemUrl,
    SIEM_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem',
    SIEM_BATCH: 'ndjson',
    CURSOR_TABLE_NAME: options.aws.cursorTableName,
    IDEMPOTENCY_TABLE_NAME: options.aws.idempotencyTableName,
    QUEUE_URL: options.queueUrl,
    DEAD_LETTER_QUEUE_URL: options.aws.deadLetterQueueUrl,
  };
  const load = (): Promise<LambdaConfig> => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn] });
  const counts: RequestCounts = {};
  const dynamodb = options.aws.dynamodb();
  const sqs = options.aws.sqs();
  countDynamoDbRequests(dynamodb, counts);
  countSqsRequests(sqs, counts);
  const handler = createPollerHandler({
    load, dynamodb, sqs,
    logger: new Logger({ serviceName: 'poller', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bench', serviceName: 'poller' }),
  }) as unknown as (event: unknown, context: Context) => Promise<InvocationOutcome>;
  const invocations: Array<{ startedAt: number; billedMs: number; tailMs: number; outcome: InvocationOutcome }> = [];
  let running: Promise<void> = Promise.resolve();
  let failure: unknown;
  /** Starts the run due at `scheduledAt`, after the one before ends (reserved concurrency 1). */
  const tick = (scheduledAt: number): void => {
    running = running.then(async () => {
      const startedAt = Date.now();
      const start = performance.now();
      const outcome = await handler({ scheduledTime: new Date(scheduledAt).toISOString(), scheduleSeconds: SCHEDULE_MS / 1000 }, fakeLambdaContext({ functionName: 'poller', timeoutMs: POLLER_TIMEOUT_MS }));
      const billedMs = Math.ceil(performance.now() - start);
      // How long the invocation went on after the hand-over time: what HANDOVER_MARGIN_MS must hold.
      invocations.push({ startedAt, billedMs, tailMs: startedAt + billedMs - (scheduledAt + SCHEDULE_MS - 2000), outcome });
    }).catch((error: unknown) => {
      failure ??= error;
    });
  };
  /** Resolves once the runs started have ended; rejects with the first that failed. */
  const idle = async (): Promise<void> => {
    await running;
    if (failure !== undefined) throw failure;
  };
  return { load, counts, invocations, tick, idle };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const aws = await startAwsWorld();
  const receiver = await startSiemReceiver({ auth: { bearerToken: BENCH_SIEM_TOKEN } });
  const simulators: MpasSimulator[] = [];
  const settings: TenantFigures[] = [];
  const rows: Array<Record<string, string | number>> = [];
  const tails: number[] = [];
  // EMF metrics go to stdout, as in Lambda; here they would bury the table.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"_aws"') ? true : write(chunk, ...(rest as []))) as typeof process.stdout.write;
  try {
    const idleQueue = (await aws.sqs().send(new CreateQueueCommand({ QueueName: 'bench-idle-events' }))).QueueUrl!;
    for (const intervalMs of INTERVALS) {
      const busySimulator = await startMpasSimulator({ realms: [BENCH_REALM], seed: 11 });
      const idleSimulator = await startMpasSimulator({ realms: [BENCH_REALM], seed: 12 });
      simulators.push(busySimulator, idleSimulator);
      const siemUrl = `${receiver.url}/ingest`;
      const busy = scheduledPoller({ aws, simulator: busySimulator, tenant: `busy-${intervalMs}`, queueUrl: aws.queueUrl, intervalMs, siemUrl });
      const idle = scheduledPoller({ aws, simulator: idleSimulator, tenant: `idle-${intervalMs}`, queueUrl: idleQueue, intervalMs, siemUrl });
      const forwarderCounts: RequestCounts = {};
      const forwarderDynamodb = aws.dynamodb();
      const forwarderSqs = aws.sqs();
      const driverSqs = aws.sqs();
      countDynamoDbRequests(forwarderDynamodb, forwarderCounts);
      countSqsRequests(forwarderSqs, forwarderCounts);
      countSqsRequests(driverSqs, forwarderCounts);
      const forwarder = createForwarderHandler({ load: busy.load, dynamodb: forwarderDynamodb, sqs: forwarderSqs, logger: new Logger({ serviceName: 'forwarder', logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'Bench', serviceName: 'forwarder' }) });
      const driver = new SqsEventSourceDriver({ client: driverSqs, queueUrl: aws.queueUrl, queueArn: aws.queueArn, handler: forwarder, batchSize: 10, waitTimeSeconds: 1, functionTimeoutMs: 60_000 });

      const lags: number[] = [];
      // The traffic runs a settle window and more before the first run, as a busy tenant's does:
      // that run finds events, and only events from its start on are measured.
      const stopTraffic = busySimulator.startLiveTraffic({ eventsPerSecond: RATE, realm: BENCH_REALM, seed: 7 });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 5_000));
      const start = Date.now();
      const measuredUntil = start + MINUTES * SCHEDULE_MS;
      let arrived = 0;
      const unsubscribe = receiver.onReceive((item) => {
        const time = (item.json as { event?: { time?: number } } | undefined)?.event?.time;
        if (typeof time !== 'number' || time < start - SETTLE_MS - 5_000) return;
        arrived += 1;
        if (time >= start && time < measuredUntil) lags.push(item.receivedAt - time);
      });
      let delivering = true;
      // Handled at once: a failure elsewhere must not leave it rejecting unheard after the emulators stop.
      let deliveryFailure: unknown;
      const delivery = driver.runUntil(() => !delivering, { timeoutMs: (MINUTES + 3) * SCHEDULE_MS }).catch((error: unknown) => {
        deliveryFailure = error;
      });
      const mpasBefore = { busy: mpasRequests(busySimulator), idle: mpasRequests(idleSimulator) };
      for (let minute = 0; minute < MINUTES; minute++) {
        const due = start + minute * SCHEDULE_MS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        busy.tick(due);
        idle.tick(due);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, measuredUntil - Date.now())));
      await Promise.all([busy.idle(), idle.idle()]);
      stopTraffic();
      // Per minute: what the measured runs did (the run below only delivers the rest).
      const perMinute = (value: number): number => value / MINUTES;
      const figures = (tenant: typeof busy, rate: number, simulator: MpasSimulator, mpasBase: number, extraSqs: number, extraDynamodb: number): TenantFigures => ({
        pollIntervalMs: intervalMs,
        eventsPerSecond: rate,
        pollerBilledMsPerMinute: rounded(perMinute(tenant.invocations.reduce((sum, run) => sum + run.billedMs, 0))),
        pollerInvocationsPerMinute: rounded(perMinute(tenant.invocations.length)),
        mpasRequestsPerMinute: rounded(perMinute(mpasRequests(simulator) - mpasBase)),
        dynamodbRequestsPerMinute: rounded(perMinute(sumRequests(tenant.counts, 'DynamoDB') + extraDynamodb)),
        sqsRequestsPerMinute: rounded(perMinute(sumRequests(tenant.counts, 'SQS') + extraSqs)),
        p50Ms: null,
        p99Ms: null,
        maxMs: null,
      });
      const busyRuns = busy.invocations.length;
      const idleFigures = figures(idle, 0, idleSimulator, mpasBefore.idle, 0, 0);
      // The forwarder's requests up to here belong to the measured minutes.
      const busyFigures = figures(busy, RATE, busySimulator, mpasBefore.busy, sumRequests(forwarderCounts, 'SQS'), sumRequests(forwarderCounts, 'DynamoDB'));
      tails.push(...busy.invocations.map((run) => run.tailMs));
      // Scheduled runs go on at the real rate until every event produced has arrived: with one
      // read a minute, the events of the last settle window wait for the second run after.
      const produced = busySimulator.count(BENCH_REALM, 'user') + busySimulator.count(BENCH_REALM, 'admin');
      for (let extra = 0; extra < 3 && arrived < produced; extra++) {
        const due = measuredUntil + extra * SCHEDULE_MS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        busy.tick(due);
        await busy.idle();
        const deadline = Date.now() + 20_000;
        while (arrived < produced && deliveryFailure === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        if (deliveryFailure !== undefined) throw deliveryFailure;
      }
      if (arrived < produced) throw new Error(`aws-lag: ${arrived} of ${produced} events arrived (POLL_INTERVAL_MS ${intervalMs})`);
      delivering = false;
      await delivery;
      unsubscribe();
      if (lags.length === 0) throw new Error(`aws-lag: no event of the measured minutes arrived (POLL_INTERVAL_MS ${intervalMs})`);
      busyFigures.p50Ms = rounded(percentile(lags, 50));
      busyFigures.p99Ms = rounded(percentile(lags, 99));
      busyFigures.maxMs = rounded(Math.max(...lags));
      settings.push(busyFigures, idleFigures);
      const ended = busy.invocations.slice(0, busyRuns).map((run) => `${run.outcome.reads} reads, ${run.outcome.ended}`).join('; ');
      rows.push({ 'POLL_INTERVAL_MS': intervalMs, 'events/s': RATE, events: lags.length, 'p50 ms': busyFigures.p50Ms, 'p99 ms': busyFigures.p99Ms, 'max ms': busyFigures.maxMs, 'poller billed ms/min': busyFigures.pollerBilledMsPerMinute, 'MPAS req/min': busyFigures.mpasRequestsPerMinute, 'DynamoDB req/min': busyFigures.dynamodbRequestsPerMinute, 'SQS req/min': busyFigures.sqsRequestsPerMinute, runs: ended });
      rows.push({ 'POLL_INTERVAL_MS': intervalMs, 'events/s': 0, 'poller billed ms/min': idleFigures.pollerBilledMsPerMinute, 'MPAS req/min': idleFigures.mpasRequestsPerMinute, 'DynamoDB req/min': idleFigures.dynamodbRequestsPerMinute, 'SQS req/min': idleFigures.sqsRequestsPerMinute, runs: idle.invocations.map((run) => `${run.outcome.reads} reads, ${run.outcome.ended}`).join('; ') });
      await busySimulator.close();
      await idleSimulator.close();
    }
    process.stdout.write = write;
    const target = SETTLE_MS + 10_000;
    report({
      name: 'aws-lag',
      description: `${RATE} events/s through the poller and forwarder handlers on DynamoDB Local and fauxqs, the scheduler at its real rate (${MINUTES} min per setting), an idle tenant beside it`,
      machine,
      parameters: { eventsPerSecond: RATE, minutesPerSetting: MINUTES, pollIntervalsMs: INTERVALS, settleMs: SETTLE_MS, scheduleMs: SCHEDULE_MS, pollerTimeoutMs: POLLER_TIMEOUT_MS, budgetShare: 0.8, commitDelayMs: [0, 250], siemBatch: 'ndjson', eventSourceBatchSize: 10 },
      rows,
      targets: settings
        .filter((row) => row.eventsPerSecond > 0)
        .map((row) => ({ target: `POLL_INTERVAL_MS ${row.pollIntervalMs}: p99 <= settle + 10 s (${target} ms)`, measured: `${row.p99Ms} ms`, met: (row.p99Ms ?? Infinity) <= target })),
      notes: [
        'billed ms: the wall time of each handler call, rounded up to the millisecond, as Lambda bills it; the pauses between reads are billed',
        'SQS requests of the busy tenant include the forwarder\'s and the event source mapping\'s receives and deletes as test/support/sqs-event-source-driver.ts plays them (one poller, 1 s long polls); the idle tenant\'s are the poller\'s only (an idle queue\'s event source polling is the same for every setting)',
        `after the hand-over time (2 s before the next run) an invocation went on for at most ${rounded(Math.max(...tails))} ms (negative: it ended before)`,
      ],
      data: { settings, handOverTailMs: { max: Math.max(...tails), p50: percentile(tails, 50) } },
    });
  } finally {
    process.stdout.write = write;
    for (const simulator of simulators) await simulator.close().catch(() => undefined);
    await receiver.close();
    await aws.close();
  }
}

await main();
