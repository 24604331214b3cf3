/**
 * Benchmark 1: the forwarder's per-batch work on one core, against the floor of what any
 * forwarder must do (parse the SQS body, stringify the events). Run with `--cpu-prof` to see
 * where the time goes: `node --cpu-prof --cpu-prof-dir=bench/results bin/run-ts.js bench/forwarder-hot-path.bench.ts`.
 */
import { createCefFormatter } from '../lib/core/formats/cef-formatter.js';
import { jsonEnvelopeFormatter, toEnvelope } from '../lib/core/formats/json-envelope.js';
import type { Formatter } from '../lib/core/formats/formatter.js';
import { forwardBatch } from '../lib/core/forwarder/forward-batch.js';
import type { ForwarderStages } from '../lib/core/forwarder/forward-batch.js';
import { eventKey } from '../lib/core/events/event-key.js';
import type { MpasEvent, Stream } from '../lib/core/events/event-schemas.js';
import { compileFilter } from '../lib/core/pipeline/event-filter.js';
import { createRedactor, DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS } from '../lib/core/pipeline/redactor.js';
import { batchIdFor } from '../lib/core/queue/event-batch.js';
import type { EventBatch } from '../lib/core/queue/event-batch.js';
import { messageBody } from '../lib/core/queue/message-body.js';
import { parseBatchMessage } from '../lib/core/queue/parse-batch-message.js';
import { splitToFit } from '../lib/core/queue/split-batch.js';
import { VERSION } from '../lib/version.js';
import { encodingSink } from './support/encoding-sink.js';
import { bulkEvents } from './support/event-pool.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { median, rounded } from './support/stats.js';
import { fullGc } from './support/full-gc.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 25);
const PAGE_SIZE = 1000;
const MAX_MESSAGE_BYTES = 1_048_576;
const REALM = 'acme';
const TENANT = 'acme-prod';
// A filter of the kind a tenant writes: drop the noisiest successful token refreshes.
const FILTER = { NOT: { AND: [{ 'event.type': { equals: 'REFRESH_TOKEN' } }, { eventType: { equals: 'user-event' } }] } };

/** The SQS bodies the poller would enqueue for the events: pages of one stream, split to fit. */
function queueBodies(): { bodies: string[]; events: number; bytes: number } {
  const generated = bulkEvents({ realm: REALM, count: EVENTS, startTime: Date.parse('2025-03-01T00:00:00Z'), spacingMs: 7 });
  const bodies: string[] = [];
  for (const [stream, events] of [['user', generated.user], ['admin', generated.admin]] as Array<[Stream, MpasEvent[]]>) {
    for (let start = 0; start < events.length; start += PAGE_SIZE) {
      const page = events.slice(start, start + PAGE_SIZE);
      const batch: EventBatch = { v: 1, tenant: TENANT, realm: REALM, stream, batchId: batchIdFor(TENANT, REALM, stream, page.map(eventKey)), events: page };
      for (const part of splitToFit(batch, MAX_MESSAGE_BYTES)) bodies.push(messageBody(part));
    }
  }
  return { bodies, events: EVENTS, bytes: bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) };
}

function stagesFor(formatter: Formatter): ForwarderStages & { sink: ReturnType<typeof encodingSink> } {
  return {
    redact: createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS }),
    formatter,
    filter: compileFilter(FILTER),
    sink: encodingSink({ batch: 'ndjson', maxBatchEvents: 500, maxBatchBytes: 1_000_000 }, formatter.format),
  };
}

/** What `--cpu-prof` showed after the optimizations (see the commits that made them). */
const PROFILE_FINDINGS = [
  'JSON: JSON.parse of the body and JSON.stringify of each event take most of the time, as in the floor; zod is gone from the hot path (a precompiled check, zod only for the rest); what is left above the floor is the redaction copies, the UTF-8 framing (requests planned on a length bound, so each payload is encoded once and never measured), per-event bookkeeping and GC',
  "CEF: the line is written in one pass (cef-line-writer.ts) in a local string (the sink flattens it); cs6 is written piecewise, each key and value quoted and escaped on its own, with no intermediate JSON text; no closures per event. On Node 24 the garbage was most of the line's cost beyond JSON.stringify (2,219 bytes a line against 570, nearly all rope nodes: about 70): the per-event constants (header with rt=, act with outcome, the realm's cs1, a cs6 key with its quotes) are single cached pieces and cs6's key arrays are reused, 1,217 bytes a line; alone, the line still costs about twice JSON.stringify of the event, which left CEF at 0.47-0.48 of the floor at load 6-7. Then three cuts found with --cpu-prof of this loop: rt= without String(time) (a millisecond time is a double to V8 and missed its number-string cache: its leading digits are kept with the cached header, the last six come from a table), one lookup per event type for what the type fixes (the header with rt=, act and outcome) where four ran per line, and a cs6 text equal to the last plain value of its key skipping the escape test (about half of them repeat): 0.48 -> 0.53 on a quiet machine. What is left: flattening each line before encoding, the escape tests and the concatenations, about a quarter each; building the line with join, JSON.stringify of a cs6 object or one regular expression over the whole cs6 text were each slower",
  'Both: request bodies written into fresh memory (a few hundred KB each) were mapped, faulted in and unmapped by the allocator for every request, which slowed the whole process, the floor measured beside it included: on a freshly booted machine about 310,000 minor faults per run of this benchmark (10 rounds), JSON at 0.44-0.47 of the floor and CEF at 0.36-0.39. The HTTPS sink now writes bodies into a pool of buffers (body-buffer-pool.ts), taken back after a 2xx or once compressed: about 95,000 faults, the loops themselves almost none, JSON 0.64-0.69, CEF 0.51',
];

type Variant = { name: string; run: (bodies: readonly string[]) => Promise<number> };

/** What every forwarder must do at least: read the body, write the events. */
const floor: Variant = {
  name: 'floor: JSON.parse + JSON.stringify',
  run: async (bodies) => {
    let chars = 0;
    for (const body of bodies) {
      const { events } = JSON.parse(body) as { events: unknown[] };
      for (const event of events) chars += JSON.stringify(event).length;
    }
    return chars;
  },
};

/** The reference: a plain loop that parses, masks and stringifies, with no checks. */
function plainLoop(): Variant {
  const redact = stagesFor(jsonEnvelopeFormatter).redact;
  return {
    name: 'reference: parse + redact + stringify',
    run: async (bodies) => {
      let chars = 0;
      for (const body of bodies) {
        const batch = JSON.parse(body) as EventBatch;
        for (const event of batch.events) chars += JSON.stringify(toEnvelope(redact(event, batch.stream), batch.stream)).length;
      }
      return chars;
    },
  };
}

function forwarder(name: string, formatter: Formatter): Variant {
  const stages = stagesFor(formatter);
  return {
    name,
    run: async (bodies) => {
      let delivered = 0;
      for (const body of bodies) {
        const parsed = parseBatchMessage(body);
        if (!parsed.ok) throw new Error(`bench body refused: ${parsed.reason}`);
        const result = await forwardBatch(parsed.batch, stages);
        if (result.deadLetters.length > 0) throw new Error(`bench events dead-lettered: ${result.deadLetters[0]!.detail}`);
        delivered += result.delivered + result.filtered;
      }
      if (delivered !== EVENTS) throw new Error(`${name}: ${delivered} of ${EVENTS} events came out`);
      return stages.sink.bytes();
    },
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const { bodies, bytes } = queueBodies();
  const all = [floor, plainLoop(), forwarder('forwarder, JSON envelope', jsonEnvelopeFormatter), forwarder('forwarder, CEF', createCefFormatter({ version: VERSION }))];
  // BENCH_ONLY=CEF profiles one variant alone (with --cpu-prof); the report then has no floor to compare.
  const only = process.env['BENCH_ONLY'];
  const variants = only ? all.filter(({ name }) => name === floor.name || name.includes(only)) : all;
  const rates = new Map<string, number[]>(variants.map(({ name }) => [name, []]));
  const wallRates = new Map<string, number[]>(variants.map(({ name }) => [name, []]));
  const faultRates = new Map<string, number[]>(variants.map(({ name }) => [name, []]));
  // Interleaved, after one warm-up round, so a burst of load from elsewhere hits every variant alike.
  for (let round = 0; round <= RUNS; round += 1) {
    for (const variant of variants) {
      // Each variant starts from a collected heap, so none pays for the garbage of the one before.
      fullGc();
      // CPU time, not wall time: on a machine shared with other work, time spent waiting for a core
      // is not the forwarder's cost. (It counts every thread of the process, GC helpers included.)
      const start = process.cpuUsage();
      const faultsBefore = process.resourceUsage().minorPageFault;
      const wallStart = performance.now();
      await variant.run(bodies);
      const used = process.cpuUsage(start);
      const cpuSeconds = (used.user + used.system) / 1e6;
      if (round > 0) {
        rates.get(variant.name)!.push(EVENTS / cpuSeconds);
        wallRates.get(variant.name)!.push(EVENTS / ((performance.now() - wallStart) / 1000));
        faultRates.get(variant.name)!.push(((process.resourceUsage().minorPageFault - faultsBefore) * 1000) / EVENTS);
      }
    }
  }
  // Ratios are taken round by round (each variant against the floor measured beside it), then the
  // median: a burst of load from another process moves a round's figures together, not its ratios.
  const ratiosOf = (name: string): number[] => rates.get(name)!.map((rate, round) => rate / rates.get(floor.name)![round]!);
  const rows = variants.map(({ name }) => {
    const samples = rates.get(name)!;
    return {
      variant: name,
      'events per CPU-second': rounded(median(samples)),
      min: rounded(Math.min(...samples)),
      max: rounded(Math.max(...samples)),
      'wall events/s': rounded(median(wallRates.get(name)!)),
      'ratio to floor': rounded(median(ratiosOf(name))),
      // Fresh memory shows here: each fault is a page the process touched for the first time.
      'page faults per 1k events': rounded(median(faultRates.get(name)!)),
    };
  });
  const ratioOf = (name: string): number => (rates.has(name) ? median(ratiosOf(name)) : Number.NaN);
  const json = ratioOf('forwarder, JSON envelope');
  const cef = ratioOf('forwarder, CEF');
  report({
    name: 'forwarder-hot-path',
    description: 'validate + filter + redact + format + encode, one core, vs the parse+stringify floor',
    machine,
    parameters: { events: EVENTS, runs: RUNS, messages: bodies.length, messageBytes: bytes, pageSize: PAGE_SIZE, adminShare: 0.1, filter: FILTER, redaction: 'mask, default fields', sinkFraming: 'ndjson, 500 events / 1 MB per request, UTF-8 encoded' },
    rows,
    targets: [
      { target: 'JSON envelope >= 0.6 of the floor', measured: json.toFixed(2), met: json >= 0.6 },
      { target: 'CEF >= 0.5 of the floor', measured: cef.toFixed(2), met: cef >= 0.5 },
    ],
    notes: PROFILE_FINDINGS,
  });
}

await main();
