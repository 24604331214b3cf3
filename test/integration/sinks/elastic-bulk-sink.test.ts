import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../devtools/generators/random.js';
import type { SiemReceiver, SiemReceiverOptions } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { createElasticBulkSink } from '../../../lib/sinks/elastic/elastic-bulk-sink.js';
import type { ElasticBulkSinkOptions } from '../../../lib/sinks/elastic/elastic-bulk-sink.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const PASSWORD = 'es-pw-Hq41-very-secret';

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(options: Partial<SiemReceiverOptions> = {}): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ elastic: { apiKey: API_KEY, basic: { username: 'mpas', password: PASSWORD } }, ...options });
  return receiver;
}

function bulkSink(url: string, overrides: Partial<ElasticBulkSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createElasticBulkSink({
    url,
    auth: { kind: 'apiKey', apiKey: API_KEY },
    ...testSinkSettings(sleep),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (item: { meta?: Record<string, unknown> }) => String(item.meta?.['_id']);

describe('ElasticBulkSink', () => {
  it('delivers the seed samples, redacted, as documents with @timestamp, the event key as _id, into the data stream', async () => {
    const es = await startReceiver();
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = bulkSink(es.url);
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    const items = es.received();
    expect(items.map((item) => item.json)).toEqual(envelopes.map((envelope) => ({ '@timestamp': envelope.timestamp, ...envelope })));
    expect(items.map((item) => item.meta)).toEqual(events.map((event) => ({ _index: 'logs-mpas-default', _id: event.key })));
    expect(JSON.stringify(items)).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
    expect(es.requests()).toEqual([expect.objectContaining({ path: '/_bulk', status: 200, contentType: 'application/x-ndjson', items: 2 })]);
  });

  it('stores ECS documents as they are: one @timestamp, the event key as event.id and _id, redacted fields still redacted', async () => {
    const es = await startReceiver();
    const { events } = seedSampleOutbound('ecs');
    const { sink } = bulkSink(es.url, { format: 'ecs' });
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    const items = es.received();
    expect(items.map((item) => item.text)).toEqual(events.map((event) => event.payload));
    expect(items.map((item) => (item.json as { event: { id: string } }).event.id)).toEqual(events.map((event) => event.key));
    expect(items.map((item) => item.meta?.['_id'])).toEqual(events.map((event) => event.key));
    expect(items.map((item) => (item.json as { source?: unknown }).source)).toEqual([{ address: '<redacted>' }, { address: '<redacted>' }]);
    expect(items.every((item) => item.text.split('"@timestamp"').length === 2)).toBe(true);
    expect(JSON.stringify(items)).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
  });

  it('sends CEF lines as {"@timestamp", "message"}, gzipped, with basic auth and a URL ending in /_bulk', async () => {
    const es = await startReceiver();
    const { events } = seedSampleOutbound('cef');
    const { sink } = bulkSink(`${es.url}/_bulk`, { format: 'cef', gzip: true, auth: { kind: 'basic', username: 'mpas', password: PASSWORD }, index: 'mpas-audit' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    expect(es.received().map((item) => item.json)).toEqual(events.map((event) => ({ '@timestamp': new Date(event.time).toISOString(), message: event.payload })));
    expect(es.received().map((item) => item.meta?.['_index'])).toEqual(['mpas-audit', 'mpas-audit']);
    expect(es.requests()[0]).toMatchObject({ contentEncoding: 'gzip' });
  });

  it('counts a resent event as delivered when Elasticsearch answers 409 for its _id, and stores it once', async () => {
    const es = await startReceiver();
    const { sink } = bulkSink(es.url);
    const events = keyedEnvelopeEvents(4);
    await sink.deliver(events.slice(0, 2));
    const result = await sink.deliver(events);
    expect(result).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(es.received().map(idOf)).toEqual(['e0', 'e1', 'e2', 'e3']);
  });

  it('resends only the items that failed transiently and drops the ones refused for good (retry-partial)', async () => {
    const es = await startReceiver();
    let rejectedOnce = false;
    es.rejectItemsWhen((item) => {
      if (item.id === 'e1' && !rejectedOnce) return (rejectedOnce = true), 429;
      return item.id === 'e3' ? 400 : undefined;
    });
    const { sink, sleep } = bulkSink(es.url);
    const result = await sink.deliver(keyedEnvelopeEvents(5));
    expect(result.retry).toEqual([]);
    expect(result.dropped).toEqual([{ index: 3, status: 400, reason: 'item 400: document_parsing_exception: injected 400 for [e3]' }]);
    expect(result.errors.map((error) => error.reason)).toEqual(['_bulk: 1 x item 429: es_rejected_execution_exception: injected 429 for [e1]; 1 x item 400: document_parsing_exception: injected 400 for [e3]']);
    expect(sleep.calls).toEqual([100]);
    expect(es.received().map(idOf)).toEqual(['e0', 'e2', 'e4', 'e1']);
    expect(es.requests().map((request) => request.items)).toEqual([3, 1]);
  });

  it('hands items still failing after the attempts back for a later retry', async () => {
    const es = await startReceiver();
    es.rejectItemsWhen((item) => (item.id === 'e0' ? 503 : undefined));
    const { sink } = bulkSink(es.url, { attempts: 2 });
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.retry).toEqual([0]);
    expect(result.errors).toHaveLength(2);
    expect(es.received().map(idOf)).toEqual(['e1']);
  });

  it('retries whole-request 429 and 503 (honouring Retry-After), and hands back 5xx once the attempts are spent', async () => {
    const es = await startReceiver();
    es.failNext({ count: 1, status: 429, retryAfterSeconds: 1, body: JSON.stringify({ error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status: 429 }) });
    es.failNext({ count: 1, status: 503 });
    const { sink, sleep } = bulkSink(es.url, { concurrency: 1 });
    const first = await sink.deliver(keyedEnvelopeEvents(2));
    expect(first.retry).toEqual([]);
    expect(first.errors.map((error) => error.reason)).toEqual(['HTTP 429: es_rejected_execution_exception: rejected', 'HTTP 503: injected 503']);
    expect(sleep.calls).toEqual([1_000, 200]);
    es.failNext({ count: 3, status: 502 });
    expect((await sink.deliver(keyedEnvelopeEvents(1, 'x'))).retry).toEqual([0]);
  });

  it('retries a 2xx whose items cannot be read, relying on the _ids', async () => {
    const es = await startReceiver();
    es.failNext({ count: 1, status: 200, body: '<html>proxy</html>' });
    const { sink } = bulkSink(es.url);
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.errors.map((error) => error.reason)).toEqual(['HTTP 200: unreadable _bulk answer (no items)']);
    expect(es.received().map(idOf)).toEqual(['e0', 'e1']);
  });

  it('reports refused credentials as an auth failure at once, without the key or password', async () => {
    const es = await startReceiver({ elastic: { apiKey: 'another-key' } });
    const { sink, sleep } = bulkSink(es.url);
    const result = await sink.deliver(keyedEnvelopeEvents(1));
    expect(result.retry).toEqual([0]);
    expect(result.errors).toEqual([{ status: 401, auth: true, reason: 'HTTP 401: security_exception: unable to authenticate with provided credentials and anonymous access is not allowed for this request' }]);
    expect(sleep.calls).toEqual([]);
    // A collector may echo what it refused: the sink hides its own secrets in every form.
    es.failNext({ count: 1, status: 403, body: `{"error":"ApiKey ${API_KEY} refused"}` });
    const echoedKey = await sink.deliver(keyedEnvelopeEvents(1));
    expect(echoedKey.errors).toEqual([{ status: 403, auth: true, reason: 'HTTP 403: *** refused' }]);
    const basic = `Basic ${Buffer.from(`mpas:${PASSWORD}`).toString('base64')}`;
    es.failNext({ count: 1, status: 403, body: `{"error":"${basic} or ${PASSWORD} refused"}` });
    const echoed = await bulkSink(es.url, { auth: { kind: 'basic', username: 'mpas', password: PASSWORD } }).sink.deliver(keyedEnvelopeEvents(1));
    expect(echoed.errors).toEqual([{ status: 403, auth: true, reason: 'HTTP 403: Basic *** or *** refused' }]);
  });

  it('drops a request refused for good, with the error type and reason', async () => {
    const es = await startReceiver();
    es.failNext({ count: 1, status: 400, body: JSON.stringify({ error: { type: 'index_closed_exception', reason: 'closed' }, status: 400 }) });
    const { sink } = bulkSink(es.url);
    expect((await sink.deliver(keyedEnvelopeEvents(2))).dropped).toEqual([0, 1].map((index) => ({ index, status: 400, reason: 'HTTP 400: index_closed_exception: closed' })));
  });

  it('splits on 413 and drops an event too large alone', async () => {
    const es = await startReceiver({ maxBodyBytes: 1_200 });
    const events = keyedEnvelopeEvents(5);
    const huge = { ...events[4]!, payload: events[4]!.payload.replace('"ipAddress"', `"pad":"${'x'.repeat(2_000)}","ipAddress"`) };
    const { sink } = bulkSink(es.url);
    const result = await sink.deliver([...events.slice(0, 4), huge]);
    expect(result.dropped).toEqual([{ index: 4, status: 413, reason: expect.stringContaining('too large for Elasticsearch') }]);
    expect(sortedKeys(es.received().map(idOf))).toEqual(['e0', 'e1', 'e2', 'e3']);
  });

  it('delivers 5,000 events through seeded request faults, item faults and lost answers, nothing lost or duplicated', async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? 20_261_122);
    const random = createRandom(seed);
    const es = await startReceiver();
    es.rejectItemsWhen(() => (random.chance(0.05) ? random.pick([429, 503, 500]) : undefined));
    const { sink } = bulkSink(es.url, { concurrency: 4, maxBatchEvents: 250, attempts: 3, random: () => random.next() });
    const events = keyedEnvelopeEvents(5_000);
    let pending: OutboundEvent[] = events;
    let rounds = 0;
    while (pending.length > 0 && rounds < 100) {
      rounds += 1;
      for (let burst = random.int(0, 2); burst > 0; burst -= 1) es.failNext({ count: random.int(1, 3), status: random.pick([429, 503, 500]) });
      // A response lost after Elasticsearch stored the items: their resend meets a 409.
      if (random.chance(0.5)) es.failNextAfterStoring({ count: random.int(1, 2), status: 504 });
      const result = await sink.deliver(pending);
      expect(result.dropped, `seed ${seed}`).toEqual([]);
      pending = result.retry.map((index) => pending[index]!);
    }
    expect(pending, `seed ${seed}: still undelivered after ${rounds} rounds`).toEqual([]);
    expect(es.stats().byStatus[504], `seed ${seed}: answers were lost after storing`).toBeGreaterThan(0);
    // The queue may deliver a batch again: every event then meets its _id.
    const again = await sink.deliver(events.slice(0, 1_000));
    expect(again.retry.length + again.dropped.length, `seed ${seed}`).toBe(0);
    expect(sortedKeys(es.received().map(idOf)), `seed ${seed}`).toEqual(sortedKeys(events.map((event) => event.key)));
  });
});
