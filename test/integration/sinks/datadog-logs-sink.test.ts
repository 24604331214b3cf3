import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../devtools/generators/random.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { createDatadogLogsSink } from '../../../lib/sinks/datadog/datadog-logs-sink.js';
import type { DatadogLogsSinkOptions } from '../../../lib/sinks/datadog/datadog-logs-sink.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const API_KEY = 'dd0c6f4e8a1b2c3d4e5f60718293a4b5';

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(maxBodyBytes?: number): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ datadog: { apiKey: API_KEY }, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) });
  return receiver;
}

function ddSink(url: string, overrides: Partial<DatadogLogsSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createDatadogLogsSink({
    url,
    apiKey: API_KEY,
    ...testSinkSettings(sleep),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (item: { json?: unknown }) => (item.json as { event: { id: string } }).event.id;

describe('DatadogLogsSink', () => {
  it('delivers the seed samples, redacted, as log entries with ddsource, service, hostname and ddtags', async () => {
    const dd = await startReceiver();
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = ddSink(dd.url, { hostname: 'sync-1', tags: 'env:prod,tenant:acme', gzip: true });
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(dd.received().map((item) => item.json)).toEqual(envelopes);
    expect(dd.received().map((item) => item.meta)).toEqual(Array(2).fill({ ddsource: 'mpas', service: 'mpas-log-sync', hostname: 'sync-1', ddtags: 'env:prod,tenant:acme' }));
    expect(JSON.stringify(dd.received())).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
    expect(dd.requests()).toEqual([expect.objectContaining({ path: '/api/v2/logs', status: 202, contentType: 'application/json', contentEncoding: 'gzip', items: 2 })]);
  });

  it('sends CEF lines as the message with the event time as timestamp', async () => {
    const dd = await startReceiver();
    const { events } = seedSampleOutbound('cef');
    const { sink } = ddSink(`${dd.url}/api/v2/logs`, { format: 'cef', source: 'keycloak' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    expect(dd.received().map((item) => [item.format, item.text, item.meta?.['timestamp'], item.meta?.['ddsource']])).toEqual(
      events.map((event) => ['cef', event.payload, new Date(event.time).toISOString(), 'keycloak']),
    );
  });

  it('never puts more than 1,000 entries in a request, whatever the batch setting', async () => {
    const dd = await startReceiver();
    const { sink } = ddSink(dd.url, { maxBatchEvents: 5_000 });
    await sink.deliver(keyedEnvelopeEvents(2_500));
    expect(dd.requests().map((request) => request.items)).toEqual([1_000, 1_000, 500]);
  });

  it('retries 429 and 5xx, splits on 413, drops a 400, and flags 401/403 without the key', async () => {
    const dd = await startReceiver(2_000);
    dd.failNext({ count: 1, status: 429, retryAfterSeconds: 1 });
    dd.failNext({ count: 1, status: 503 });
    const { sink, sleep } = ddSink(dd.url, { concurrency: 1 });
    const events = keyedEnvelopeEvents(14);
    const result = await sink.deliver(events);
    expect(result).toMatchObject({ retry: [], dropped: [] });
    expect(result.errors.map((error) => error.status)).toEqual([429, 503, 413]);
    expect(sleep.calls).toEqual([1_000, 200]);
    expect(sortedKeys(dd.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));

    dd.failNext({ count: 1, status: 400, body: JSON.stringify({ errors: [{ status: '400', title: 'Bad Request', detail: 'bad' }] }) });
    expect((await sink.deliver(keyedEnvelopeEvents(1, 'b'))).dropped).toEqual([{ index: 0, status: 400, reason: 'HTTP 400: {"errors":[{"status":"400","title":"Bad Request","detail":"bad"}]}' }]);

    const wrong = await ddSink(dd.url, { apiKey: 'not-the-key' }).sink.deliver(keyedEnvelopeEvents(1, 'w'));
    expect(wrong.errors).toEqual([{ status: 403, auth: true, reason: 'HTTP 403: {"errors":[{"status":"403","title":"Forbidden","detail":"API key is invalid"}]}' }]);
    dd.failNext({ count: 1, status: 401, body: `{"errors":["key ${API_KEY} unknown"]}` });
    const echoed = await sink.deliver(keyedEnvelopeEvents(1, 'x'));
    expect(echoed.errors).toEqual([{ status: 401, auth: true, reason: 'HTTP 401: {"errors":["key *** unknown"]}' }]);
  });

  it('delivers 5,000 events through seeded 429/5xx bursts, nothing lost or duplicated', async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? 20_261_122);
    const random = createRandom(seed);
    const dd = await startReceiver();
    const { sink } = ddSink(dd.url, { concurrency: 4, maxBatchEvents: 250, random: () => random.next() });
    const events = keyedEnvelopeEvents(5_000);
    let pending: OutboundEvent[] = events;
    let rounds = 0;
    while (pending.length > 0 && rounds < 100) {
      rounds += 1;
      for (let burst = random.int(0, 3); burst > 0; burst -= 1) dd.failNext({ count: random.int(1, 4), status: random.pick([408, 429, 500, 503]) });
      const result = await sink.deliver(pending);
      expect(result.dropped, `seed ${seed}`).toEqual([]);
      pending = result.retry.map((index) => pending[index]!);
    }
    expect(pending, `seed ${seed}: still undelivered after ${rounds} rounds`).toEqual([]);
    expect(sortedKeys(dd.received().map(idOf)), `seed ${seed}`).toEqual(sortedKeys(events.map((event) => event.key)));
    expect(Object.keys(dd.stats().byStatus).length, `seed ${seed}: faults were injected`).toBeGreaterThan(1);
  });
});
