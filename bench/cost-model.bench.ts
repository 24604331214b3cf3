/**
 * Benchmark 6: the cost model. From the request counts and handler durations that the AWS
 * benchmark measured (bench/results/aws-catch-up.json) and the public prices in bench/prices.ts:
 * dollars per million events for Lambda (arm64), SQS, DynamoDB and EventBridge Scheduler, at 1,
 * 100 and 1,000 events/s. Each cost is linear in the events of a poll: the measured quiet minute
 * (60 events: one poll and the forwarder invocations it causes) plus, for the events beyond 60,
 * the measured per-event cost of the catch-up (full 1,000-event pages).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRICES, PRICES_AS_OF, PRICES_REGION } from './prices.js';
import { machineInfo } from './support/machine.js';
import { report, RESULTS_DIR } from './support/report.js';
import type { BenchResult } from './support/report.js';

const RATES = [1, 100, 1000];
const MINUTES_PER_MONTH = 30 * 24 * 60;
/**
 * Assumption, not measured: Lambda's SQS event source mapping keeps polling an idle queue, about
 * 5 pollers each long-polling 20 s, which is 15 empty ReceiveMessage requests a minute.
 */
const IDLE_RECEIVES_PER_MINUTE = 15;

interface Tally {
  requests: number;
  billedUnits: number;
}
interface AwsData {
  eventsPerSecond: number;
  perMillionEvents: Record<string, Tally>;
  quietMinute: { events: number; requests: Record<string, Tally>; pollerMs: number[]; forwarderMs: number[] };
  handlers: {
    poller: { invocations: number; totalMs: number; memoryMb: number };
    forwarder: { invocations: number; totalMs: number; memoryMb: number };
  };
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const units = (tallies: Record<string, Tally>, prefix: string, ops?: string[]): number =>
  sum(Object.entries(tallies).filter(([key]) => key.startsWith(prefix) && (!ops || ops.some((op) => key.endsWith(op)))).map(([, tally]) => tally.billedUnits));

function main(): void {
  const machine = machineInfo();
  const aws = JSON.parse(readFileSync(join(RESULTS_DIR, 'aws-catch-up.json'), 'utf8')) as BenchResult & { data: AwsData };
  const { data } = aws;
  const quiet = data.quietMinute;
  const perEvent = (tally: number): number => tally / 1_000_000;
  const catchUpEvents = Number(aws.parameters['events']);
  // Per-event handler time and invocations of full pages (the catch-up).
  const pollerMsPerEvent = data.handlers.poller.totalMs / catchUpEvents;
  const forwarderMsPerEvent = data.handlers.forwarder.totalMs / catchUpEvents;
  const forwarderInvocationsPerEvent = data.handlers.forwarder.invocations / catchUpEvents;
  const writeOps = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
  const readOps = ['GetItem', 'Query', 'Scan', 'BatchGetItem'];

  const rows = RATES.map((rate) => {
    const eventsPerPoll = rate * 60;
    const extra = Math.max(0, eventsPerPoll - quiet.events);
    const polls = MINUTES_PER_MONTH;
    const eventsPerMonth = eventsPerPoll * polls;
    // Lambda: billed per ms, rounded up per invocation; requests per invocation.
    const pollerMs = Math.ceil(sum(quiet.pollerMs) + pollerMsPerEvent * extra);
    const forwarderInvocations = quiet.forwarderMs.length + forwarderInvocationsPerEvent * extra;
    const forwarderMs = Math.ceil(sum(quiet.forwarderMs) + forwarderMsPerEvent * extra);
    const gbSeconds = (pollerMs / 1000) * (data.handlers.poller.memoryMb / 1024) + (forwarderMs / 1000) * (data.handlers.forwarder.memoryMb / 1024);
    const lambda = polls * ((1 + forwarderInvocations) * PRICES.lambda.perRequest + gbSeconds * PRICES.lambda.perGbSecondArm64);
    const sqsUnits = units(quiet.requests, 'SQS') + perEvent(units(data.perMillionEvents, 'SQS')) * extra + IDLE_RECEIVES_PER_MINUTE;
    const sqs = polls * sqsUnits * PRICES.sqs.perRequest;
    const writes = units(quiet.requests, 'DynamoDB', writeOps) + perEvent(units(data.perMillionEvents, 'DynamoDB', writeOps)) * extra;
    const reads = units(quiet.requests, 'DynamoDB', readOps) + perEvent(units(data.perMillionEvents, 'DynamoDB', readOps)) * extra;
    const dynamodb = polls * (writes * PRICES.dynamodb.perWriteRequestUnit + reads * PRICES.dynamodb.perReadRequestUnit);
    const scheduler = polls * PRICES.scheduler.perInvocation;
    const total = lambda + sqs + dynamodb + scheduler;
    const perMillion = (dollars: number): number => Number(((dollars / eventsPerMonth) * 1_000_000).toPrecision(3));
    return {
      'events/s': rate,
      'events/month': eventsPerMonth,
      'Lambda $/1M': perMillion(lambda),
      'SQS $/1M': perMillion(sqs),
      'DynamoDB $/1M': perMillion(dynamodb),
      'Scheduler $/1M': perMillion(scheduler),
      'total $/1M events': perMillion(total),
      '$/month': Number(total.toFixed(2)),
    };
  });
  const at100 = rows.find((row) => row['events/s'] === 100)!['total $/1M events'];
  report({
    name: 'cost-model',
    description: `dollars per million events, ${PRICES_REGION} prices of ${PRICES_AS_OF}`,
    machine,
    parameters: {
      source: 'bench/results/aws-catch-up.json measured at ' + aws.machine.measuredAt,
      prices: PRICES,
      pricesAsOf: PRICES_AS_OF,
      month: `${MINUTES_PER_MONTH} one-minute polls (30 days)`,
      lambdaMemoryMb: { poller: data.handlers.poller.memoryMb, forwarder: data.handlers.forwarder.memoryMb },
      assumptions: [
        `the event source mapping's idle polling: ${IDLE_RECEIVES_PER_MINUTE} empty receives a minute (not measured)`,
        'handler durations as measured against local emulators and a local SIEM on this machine; a real SIEM answering slower makes the forwarder bill more',
        'free tiers ignored; KMS, CloudWatch Logs/metrics and data transfer not included',
      ],
    },
    rows,
    targets: [{ target: 'under $0.10 per million events at 100 events/s', measured: `$${at100}`, met: at100 < 0.1 }],
  });
}

main();
