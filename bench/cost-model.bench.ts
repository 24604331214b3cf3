/**
 * Benchmark 6: the cost model. What a tenant pays a month, from what was measured and what the
 * stacks create, at the public prices in bench/prices.ts:
 *
 * - the fixed cost of a tenant, item by item, whatever its traffic: what its synthesized stacks
 *   create that is billed by the month (alarms, keys, secrets, dashboards: counted from the
 *   templates by bench/support/stack-inventory.ts) and what an idle minute costs (one poll, no
 *   event: its requests, handler time, log bytes and metric series measured by
 *   bench/aws-catch-up.bench.ts), over a 30-day month;
 * - the cost at 1, 100 and 1,000 events/s: Lambda, SQS, DynamoDB and the scheduler linear in the
 *   events of a poll (the measured quiet minute of 60 events, plus, beyond 60, the measured
 *   per-event cost of the catch-up's full pages), log ingestion the same way, and the metric
 *   series an active tenant writes;
 * - totals for 1, 100 and 1,000 tenants, with what they share (the operator stack's dashboard,
 *   one per account and region) counted once and custom metrics at the account's tier;
 * - when bench/results/aws-lag.json exists, the cost of each poll-interval setting it measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedTenant, synthesizeTenants } from '../test/support/infra-synth.js';
import { PRICES, PRICES_AS_OF, PRICES_REGION } from './prices.js';
import type { LogTally } from './support/log-tap.js';
import { machineInfo } from './support/machine.js';
import { printTable, report, RESULTS_DIR } from './support/report.js';
import type { BenchResult, Row } from './support/report.js';
import { tenantInventory } from './support/stack-inventory.js';
import type { Inventory } from './support/stack-inventory.js';
import type { AwsLagSetting } from './support/aws-lag-setting.js';

const RATES = [1, 100, 1000];
const TENANT_COUNTS = [1, 100, 1000];
const MINUTES_PER_MONTH = 30 * 24 * 60;
const GB = 1024 ** 3;
/**
 * Assumption, not measured: Lambda's SQS event source mapping keeps polling an idle queue, about
 * 5 pollers each long-polling 20 s, which is 15 empty ReceiveMessage requests a minute.
 */
const IDLE_RECEIVES_PER_MINUTE = 15;
/** lib/aws/secrets-manager-provider.ts keeps a secret 300 s: a warm function reads each of its secrets 12 times an hour. */
const SECRET_READS_PER_MONTH = (MINUTES_PER_MONTH / 5);
/**
 * Assumption, not measured: each AWS service using a customer-managed key for a caller asks KMS
 * about once per 5 minutes (the data key reuse of SQS, the table key cache of DynamoDB, Secrets
 * Manager once per read). Idle: the poller's secret, its cursor table and its log group; active:
 * also the queue's sender and receiver, the idempotency table, the forwarder's secrets and log group.
 */
const KMS_CALLERS = { idle: 3, active: 8 };
/** The target of issue 21: an idle tenant, everything included, under this a month. */
const IDLE_TARGET_DOLLARS = 2;

interface Tally {
  requests: number;
  billedUnits: number;
}
interface AwsData {
  perMillionEvents: Record<string, Tally>;
  quietMinute: { events: number; requests: Record<string, Tally>; pollerMs: number[]; forwarderMs: number[]; log?: LogTally };
  idleMinute?: { requests: Record<string, Tally>; pollerMs: number[]; log: LogTally };
  catchUpLog?: LogTally & { bytesPerEvent: number };
  handlers: {
    poller: { invocations: number; totalMs: number; memoryMb: number };
    forwarder: { invocations: number; totalMs: number; memoryMb: number };
  };
}
/** One setting of bench/results/aws-lag.json. */
type LagSetting = AwsLagSetting;

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const dollars = (value: number): number => Number(value.toFixed(value < 1 ? 4 : 2));
const WRITE_OPS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
const READ_OPS = ['GetItem', 'Query', 'Scan', 'BatchGetItem'];
const units = (tallies: Record<string, Tally>, prefix: string, ops?: string[]): number =>
  sum(Object.entries(tallies).filter(([key]) => key.startsWith(prefix) && (!ops || ops.some((op) => key.endsWith(op)))).map(([, tally]) => tally.billedUnits));

/** Custom metrics of an account holding `count` of them, at CloudWatch's tiers. */
function customMetricsCost(count: number): number {
  let left = count;
  let below = 0;
  let cost = 0;
  for (const tier of PRICES.cloudwatch.customMetricTiers) {
    const inTier = Math.min(left, tier.upTo - below);
    cost += inTier * tier.perMetricMonth;
    left -= inTier;
    below = tier.upTo;
    if (left <= 0) break;
  }
  return cost;
}

/** A month of logs written at `bytesPerMonth`: ingestion, and storage of what the retention keeps (uncompressed: an upper bound). */
function logsCost(bytesPerMonth: number, retentionDays: number): number {
  const gb = bytesPerMonth / GB;
  return gb * PRICES.cloudwatch.perLogIngestedGb + gb * (retentionDays / 30) * PRICES.cloudwatch.perLogStoredGbMonth;
}

/** The alarms of `inventory` a month; a Metrics Insights alarm per series its metric has (`seriesOf`). */
function alarmsCost(inventory: Inventory, seriesOf: (metric: string) => number): { count: number; metrics: number; dollars: number } {
  let metrics = 0;
  let cost = 0;
  for (const alarm of inventory.alarms) {
    const analysed = alarm.kind === 'insights' ? Math.max(1, seriesOf(alarm.queriedMetric ?? '')) : alarm.metrics;
    metrics += analysed;
    cost += analysed * (alarm.kind === 'high-resolution' ? PRICES.cloudwatch.perHighResolutionAlarmMetricMonth : alarm.kind === 'insights' ? PRICES.cloudwatch.perInsightsAlarmMetricMonth : PRICES.cloudwatch.perStandardAlarmMetricMonth);
  }
  return { count: inventory.alarms.length, metrics, dollars: cost };
}

function readAwsResult(): BenchResult & { data: AwsData } {
  const aws = JSON.parse(readFileSync(join(RESULTS_DIR, 'aws-catch-up.json'), 'utf8')) as BenchResult & { data: AwsData };
  if (!aws.data.idleMinute || !aws.data.catchUpLog || !aws.data.quietMinute.log) {
    throw new Error('bench/results/aws-catch-up.json has no idle minute or log bytes: run npm run bench:aws-catch-up first');
  }
  return aws;
}

function main(): void {
  const machine = machineInfo();
  const aws = readAwsResult();
  const { data } = aws;
  const quiet = data.quietMinute;
  const idle = data.idleMinute!;
  const quietLog = quiet.log!;
  const catchUpLog = data.catchUpLog!;
  const catchUpEvents = Number(aws.parameters['events']);
  const memoryGb = { poller: data.handlers.poller.memoryMb / 1024, forwarder: data.handlers.forwarder.memoryMb / 1024 };

  // What the example tenant's stacks create (its default settings), counted from the templates.
  const synthesized = synthesizeTenants([shippedTenant('example')]);
  const { tenant: inventory, shared } = tenantInventory(synthesized.assembly.stacks, 'example');
  synthesized.dispose();
  const retentionDays = Math.max(...inventory.logGroupRetentionDays);
  const seriesIn = (log: LogTally) => (metric: string) => log.metricSeries.filter((series) => series.startsWith(`${metric} [`)).length;

  // The idle tenant: every fixed item, then an idle minute's requests, time, logs and metrics, every minute of the month.
  const polls = MINUTES_PER_MONTH;
  const idleAlarms = alarmsCost(inventory, seriesIn(idle.log));
  const idlePollerMs = Math.ceil(sum(idle.pollerMs) / Math.max(1, idle.pollerMs.length));
  // The tenant's data is encrypted with its own key or the operator stack's shared one: requests either way.
  const usesCustomerKey = inventory.kmsKeys + shared.kmsKeys > 0;
  const idleKmsRequests = usesCustomerKey ? KMS_CALLERS.idle * SECRET_READS_PER_MONTH : 0;
  const idleItems: Array<{ item: string; count: string; dollars: number; from: string }> = [
    { item: 'Secrets Manager secrets', count: `${inventory.secretsRead}`, dollars: inventory.secretsRead * PRICES.secretsManager.perSecretMonth, from: 'template (secrets the functions read)' },
    { item: 'Secrets Manager calls (poller)', count: `${SECRET_READS_PER_MONTH}`, dollars: SECRET_READS_PER_MONTH * PRICES.secretsManager.perApiCall, from: 'one read per 5 min (provider cache)' },
    { item: 'KMS customer-managed keys (own)', count: `${inventory.kmsKeys}`, dollars: inventory.kmsKeys * PRICES.kms.perKeyMonth, from: inventory.kmsKeys === 0 ? 'template: the operator stack\'s shared key (encryptionKey "shared")' : 'template' },
    { item: 'KMS requests', count: `${idleKmsRequests}`, dollars: idleKmsRequests * PRICES.kms.perRequest, from: `assumed: ${KMS_CALLERS.idle} callers, one request per 5 min each` },
    { item: 'CloudWatch alarms', count: `${idleAlarms.count} (${idleAlarms.metrics} metrics)`, dollars: idleAlarms.dollars, from: 'template (insights: series measured)' },
    { item: 'CloudWatch dashboards (own)', count: `${inventory.dashboards}`, dollars: inventory.dashboards * PRICES.cloudwatch.perDashboardMonth, from: 'template' },
    { item: 'Custom metrics (idle)', count: `${idle.log.metricSeries.length}`, dollars: idle.log.metricSeries.length * PRICES.cloudwatch.customMetricTiers[0].perMetricMonth, from: 'measured: EMF series of the idle poll' },
    { item: 'Logs (idle poll)', count: `${idle.log.bytes} B/poll`, dollars: logsCost(idle.log.bytes * polls, retentionDays), from: `measured, ${retentionDays}-day retention` },
    { item: 'Lambda (idle poll)', count: `${idlePollerMs} ms/poll`, dollars: polls * (PRICES.lambda.perRequest + (idlePollerMs / 1000) * memoryGb.poller * PRICES.lambda.perGbSecondArm64), from: 'measured' },
    { item: 'DynamoDB (idle poll)', count: `${units(idle.requests, 'DynamoDB', WRITE_OPS)} WRU + ${units(idle.requests, 'DynamoDB', READ_OPS)} RRU/poll`, dollars: polls * (units(idle.requests, 'DynamoDB', WRITE_OPS) * PRICES.dynamodb.perWriteRequestUnit + units(idle.requests, 'DynamoDB', READ_OPS) * PRICES.dynamodb.perReadRequestUnit), from: 'measured' },
    { item: 'SQS (idle)', count: `${units(idle.requests, 'SQS') + IDLE_RECEIVES_PER_MINUTE}/min`, dollars: polls * (units(idle.requests, 'SQS') + IDLE_RECEIVES_PER_MINUTE) * PRICES.sqs.perRequest, from: `measured + ${IDLE_RECEIVES_PER_MINUTE} empty receives/min assumed` },
    { item: 'EventBridge Scheduler', count: `${polls}`, dollars: polls * PRICES.scheduler.perInvocation, from: 'one poll a minute' },
    { item: 'DynamoDB storage and point-in-time recovery', count: `${inventory.tablesWithPointInTimeRecovery} tables`, dollars: 0, from: 'not measured: an idle tenant\'s tables hold a few KB (under $0.001)' },
  ];
  const idleTotal = sum(idleItems.map((item) => item.dollars));
  // The same tenant with the other choice of deployment.encryptionKey: its own key added, or taken away.
  const idleOtherKeyChoice = inventory.kmsKeys === 0 ? idleTotal + PRICES.kms.perKeyMonth : idleTotal - inventory.kmsKeys * PRICES.kms.perKeyMonth;
  const idleOwnKey = Math.max(idleTotal, idleOtherKeyChoice);
  const idleSharedKey = Math.min(idleTotal, idleOtherKeyChoice);
  const sharedFixed = shared.dashboards * PRICES.cloudwatch.perDashboardMonth + shared.kmsKeys * PRICES.kms.perKeyMonth;

  // Per rate: the quiet minute plus the catch-up's per-event cost for the events beyond it.
  const pollerMsPerEvent = data.handlers.poller.totalMs / catchUpEvents;
  const forwarderMsPerEvent = data.handlers.forwarder.totalMs / catchUpEvents;
  const forwarderInvocationsPerEvent = data.handlers.forwarder.invocations / catchUpEvents;
  const activeSeries = quietLog.metricSeries.length;
  const activeAlarms = alarmsCost(inventory, seriesIn(quietLog));
  const activeFixed = (): number => {
    const secretCalls = SECRET_READS_PER_MONTH * inventory.secretsRead;
    const kmsRequests = usesCustomerKey ? KMS_CALLERS.active * SECRET_READS_PER_MONTH : 0;
    return inventory.secretsRead * PRICES.secretsManager.perSecretMonth + secretCalls * PRICES.secretsManager.perApiCall + inventory.kmsKeys * PRICES.kms.perKeyMonth + kmsRequests * PRICES.kms.perRequest + activeAlarms.dollars + inventory.dashboards * PRICES.cloudwatch.perDashboardMonth;
  };
  const perRate = RATES.map((rate) => {
    const eventsPerPoll = rate * 60;
    const extra = Math.max(0, eventsPerPoll - quiet.events);
    const eventsPerMonth = eventsPerPoll * polls;
    const perEvent = (tally: number): number => tally / 1_000_000;
    const pollerMs = Math.ceil(sum(quiet.pollerMs) + pollerMsPerEvent * extra);
    const forwarderInvocations = quiet.forwarderMs.length + forwarderInvocationsPerEvent * extra;
    const forwarderMs = Math.ceil(sum(quiet.forwarderMs) + forwarderMsPerEvent * extra);
    const gbSeconds = (pollerMs / 1000) * memoryGb.poller + (forwarderMs / 1000) * memoryGb.forwarder;
    const lambda = polls * ((1 + forwarderInvocations) * PRICES.lambda.perRequest + gbSeconds * PRICES.lambda.perGbSecondArm64);
    const sqs = polls * (units(quiet.requests, 'SQS') + perEvent(units(data.perMillionEvents, 'SQS')) * extra + IDLE_RECEIVES_PER_MINUTE) * PRICES.sqs.perRequest;
    const writes = units(quiet.requests, 'DynamoDB', WRITE_OPS) + perEvent(units(data.perMillionEvents, 'DynamoDB', WRITE_OPS)) * extra;
    const reads = units(quiet.requests, 'DynamoDB', READ_OPS) + perEvent(units(data.perMillionEvents, 'DynamoDB', READ_OPS)) * extra;
    const dynamodb = polls * (writes * PRICES.dynamodb.perWriteRequestUnit + reads * PRICES.dynamodb.perReadRequestUnit);
    const scheduler = polls * PRICES.scheduler.perInvocation;
    const logBytes = polls * (quietLog.bytes + catchUpLog.bytesPerEvent * extra);
    const logs = logsCost(logBytes, retentionDays);
    const metrics = activeSeries * PRICES.cloudwatch.customMetricTiers[0].perMetricMonth;
    const fixed = activeFixed();
    const total = lambda + sqs + dynamodb + scheduler + logs + metrics + fixed;
    const perMillion = (value: number): number => Number(((value / eventsPerMonth) * 1_000_000).toPrecision(3));
    return {
      rate,
      total,
      row: {
        'events/s': rate,
        'events/month': eventsPerMonth,
        'Lambda $/1M': perMillion(lambda),
        'SQS $/1M': perMillion(sqs),
        'DynamoDB $/1M': perMillion(dynamodb),
        'Scheduler $/1M': perMillion(scheduler),
        'Logs $/1M': perMillion(logs),
        'log MB/month': Math.round(logBytes / 1024 ** 2),
        'metrics $/month': dollars(metrics),
        'fixed items $/month': dollars(fixed),
        'total $/1M events': perMillion(total),
        '$/month': dollars(total),
      } satisfies Row,
    };
  });

  // N tenants in one account and region: the operator stack once, custom metrics at the account's tier.
  const tenantsRows: Row[] = TENANT_COUNTS.flatMap((tenants) => {
    const idleMetricsAtTier = customMetricsCost(tenants * idle.log.metricSeries.length) - tenants * idle.log.metricSeries.length * PRICES.cloudwatch.customMetricTiers[0].perMetricMonth;
    const activeMetricsAtTier = customMetricsCost(tenants * activeSeries) - tenants * activeSeries * PRICES.cloudwatch.customMetricTiers[0].perMetricMonth;
    // The operator stack's dashboard, and its key when no tenant has one of its own.
    const sharedDashboard = shared.dashboards * PRICES.cloudwatch.perDashboardMonth;
    const withSharedKey = tenants * idleSharedKey + PRICES.kms.perKeyMonth + idleMetricsAtTier + sharedDashboard;
    const withOwnKeys = tenants * idleOwnKey + idleMetricsAtTier + sharedDashboard;
    return [
      { tenants, 'each at': 'idle, one shared key', 'shared (dashboard, key)': dollars(sharedDashboard + PRICES.kms.perKeyMonth), '$/month': dollars(withSharedKey), '$/tenant/month': dollars(withSharedKey / tenants) },
      { tenants, 'each at': 'idle, each its own key', 'shared (dashboard, key)': dollars(sharedDashboard), '$/month': dollars(withOwnKeys), '$/tenant/month': dollars(withOwnKeys / tenants) },
      ...perRate
        .filter(({ rate }) => rate <= 100)
        .map(({ rate, total }) => ({
          tenants,
          'each at': `${rate} events/s`,
          'shared (dashboard, key)': dollars(sharedFixed),
          '$/month': dollars(tenants * total + activeMetricsAtTier + sharedFixed),
          '$/tenant/month': dollars((tenants * total + activeMetricsAtTier + sharedFixed) / tenants),
        })),
    ];
  });

  // The sub-minute poller's settings (issue 21, item 1), when their benchmark has run.
  const lagFile = join(RESULTS_DIR, 'aws-lag.json');
  const lagSettings = existsSync(lagFile) ? ((JSON.parse(readFileSync(lagFile, 'utf8')) as { data?: { settings?: LagSetting[] } }).data?.settings ?? []) : undefined;
  const lagRows: Row[] = (lagSettings ?? []).map((setting) => {
    const lambda = polls * (setting.pollerInvocationsPerMinute * PRICES.lambda.perRequest + (setting.pollerBilledMsPerMinute / 1000) * memoryGb.poller * PRICES.lambda.perGbSecondArm64);
    // The file does not split reads from writes: priced as writes, an upper bound.
    const dynamodb = polls * setting.dynamodbRequestsPerMinute * PRICES.dynamodb.perWriteRequestUnit;
    const sqs = polls * setting.sqsRequestsPerMinute * PRICES.sqs.perRequest;
    return {
      'poll interval ms': setting.pollIntervalMs,
      'events/s': setting.eventsPerSecond,
      'poller Lambda $/month': dollars(lambda),
      'DynamoDB $/month (as writes)': dollars(dynamodb),
      'SQS $/month': dollars(sqs),
      'poller side $/month': dollars(lambda + dynamodb + sqs),
      'MPAS requests/month': Math.round(polls * setting.mpasRequestsPerMinute),
      // An idle tenant delivers nothing, so it has no lag to show.
      'lag p50/p99/max s': [setting.p50Ms, setting.p99Ms, setting.maxMs].map((ms) => (ms === null ? '-' : (ms / 1000).toFixed(1))).join('/'),
    };
  });

  const idleRows: Row[] = [
    ...idleItems.map((item) => ({ item: item.item, count: item.count, '$/month': dollars(item.dollars), from: item.from })),
    { item: 'TOTAL idle tenant, one key shared by the account\'s tenants', count: '', '$/month': dollars(idleSharedKey), from: 'encryptionKey "shared", as the shipped tenant files say; the key ($1) paid once per account and region' },
    { item: 'TOTAL idle tenant with a key of its own', count: '', '$/month': dollars(idleOwnKey), from: 'encryptionKey "tenant"' },
    { item: 'shared per account and region: operator dashboard and key', count: `${shared.dashboards} + ${shared.kmsKeys}`, '$/month': dollars(sharedFixed), from: 'template of the operator stack' },
  ];
  const at100 = perRate.find(({ rate }) => rate === 100)!;
  printTable('cost-model: per tenant at 1, 100 and 1,000 events/s (fixed items and metrics included)', perRate.map(({ row }) => row));
  printTable('cost-model: N tenants in one account and region (the operator dashboard and key shared)', tenantsRows);
  if (lagRows.length > 0) printTable('cost-model: the poller side of each poll-interval setting (bench/results/aws-lag.json)', lagRows);
  report({
    name: 'cost-model',
    description: `the fixed monthly cost of a tenant, item by item (the tables above: per event and per tenant count), ${PRICES_REGION} prices of ${PRICES_AS_OF}`,
    machine,
    parameters: {
      source: `bench/results/aws-catch-up.json measured at ${aws.machine.measuredAt}; the example tenant's stacks synthesized now`,
      prices: PRICES,
      pricesAsOf: PRICES_AS_OF,
      month: `${MINUTES_PER_MONTH} one-minute polls (30 days)`,
      lambdaMemoryMb: { poller: data.handlers.poller.memoryMb, forwarder: data.handlers.forwarder.memoryMb },
      inventory: { tenant: inventory, shared },
      metricSeries: { idle: idle.log.metricSeries, active: quietLog.metricSeries },
      logBytes: { idlePoll: idle.log.bytes, quietMinute: quietLog.bytes, perEventInCatchUp: catchUpLog.bytesPerEvent },
      assumptions: [
        `the event source mapping's idle polling: ${IDLE_RECEIVES_PER_MINUTE} empty receives a minute (not measured)`,
        `KMS requests: about one per 5 minutes per service and caller using the key, ${KMS_CALLERS.idle} callers idle, ${KMS_CALLERS.active} active (not measured)`,
        'secrets read once per 5 minutes per secret by one warm container of each function (lib/aws/secrets-manager-provider.ts); more containers read more',
        'log storage priced on the uncompressed bytes (an upper bound); Lambda\'s own platform lines (start, report) are not in the measured bytes',
        'an active tenant writes every metric series of the measured quiet minute in every hour of the month',
        'handler durations as measured against local emulators and a local SIEM on this machine; a real SIEM answering slower makes the forwarder bill more',
        'free tiers ignored (the first 3 dashboards, 10 alarms, 10 metrics, 5 GB of logs, 20,000 KMS requests of an account are free); data transfer, S3 and SNS not included; DynamoDB storage not measured',
        'the operator stack (one dashboard, one KMS key) is shared by every tenant of an account and region; the totals put all tenants in one',
      ],
    },
    rows: idleRows,
    targets: [
      { target: `idle tenant under $${IDLE_TARGET_DOLLARS}/month, all included (one key shared by the account's tenants, as the shipped tenant files say)`, measured: `$${dollars(idleSharedKey)}`, met: idleSharedKey < IDLE_TARGET_DOLLARS },
      { target: `idle tenant under $${IDLE_TARGET_DOLLARS}/month, all included (a key of its own)`, measured: `$${dollars(idleOwnKey)}`, met: idleOwnKey < IDLE_TARGET_DOLLARS },
      { target: 'under $0.10 per million events at 100 events/s, all included', measured: `$${at100.row['total $/1M events']}`, met: at100.row['total $/1M events'] < 0.1 },
    ],
    notes: [
      lagSettings === undefined
        ? 'bench/results/aws-lag.json does not exist: no cost per poll-interval setting (run npm run bench:aws-lag, then this again)'
        : `${lagRows.length} poll-interval setting(s) from bench/results/aws-lag.json`,
    ],
    data: { perRate: perRate.map(({ row }) => row), tenants: tenantsRows, pollIntervalSettings: lagSettings === undefined ? 'bench/results/aws-lag.json does not exist' : lagRows },
  });
}

main();
