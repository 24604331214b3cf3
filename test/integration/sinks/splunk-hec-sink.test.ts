import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../devtools/generators/random.js';
import type { SiemReceiver, SiemReceiverOptions } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { createSplunkHecSink } from '../../../lib/sinks/splunk-hec/splunk-hec-sink.js';
import type { SplunkHecSinkOptions } from '../../../lib/sinks/splunk-hec/splunk-hec-sink.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const TOKEN = '6c1f0e55-hec-Tq93-very-secret';
const BUSY = JSON.stringify({ text: 'Server is busy', code: 9 });

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(options: Partial<SiemReceiverOptions> = {}): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ splunk: { token: TOKEN }, ...options });
  return receiver;
}

function hecSink(url: string, overrides: Partial<SplunkHecSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createSplunkHecSink({
    url,
    token: TOKEN,
    ...testSinkSettings(sleep),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (item: { json?: unknown }) => (item.json as { event: { id: string } }).event.id;

describe('SplunkHecSink', () => {
  it('delivers the seed samples, redacted, as HEC events with time, source, sourcetype, index and host', async () => {
    const hec = await startReceiver({ splunk: { token: TOKEN, indexes: ['mpas'] } });
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = hecSink(hec.url, { index: 'mpas', host: 'sync-acme', gzip: true });
    const result = await sink.deliver(events);
    expect(result).toMatchObject({ retry: [], dropped: [], errors: [] });
    const items = hec.received();
    expect(items.map((item) => item.json)).toEqual(envelopes);
    expect(items.map((item) => item.meta)).toEqual([
      { time: 1739388468.633, host: 'sync-acme', source: 'mpas-log-sync', sourcetype: 'mpas:event', index: 'mpas' },
      { time: 1739388470.156, host: 'sync-acme', source: 'mpas-log-sync', sourcetype: 'mpas:event', index: 'mpas' },
    ]);
    expect(JSON.stringify(items)).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
    expect(hec.requests()).toEqual([expect.objectContaining({ path: '/services/collector/event', status: 200, contentType: 'application/json', contentEncoding: 'gzip', items: 2 })]);
  });

  it('sends CEF lines as string events with sourcetype cef, and accepts the endpoint pasted as the URL', async () => {
    const hec = await startReceiver();
    const { events } = seedSampleOutbound('cef');
    const { sink } = hecSink(`${hec.url}/services/collector/event`, { format: 'cef', source: 'keycloak' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    const items = hec.received();
    expect(items.map((item) => [item.format, item.text])).toEqual(events.map((event) => ['cef', event.payload]));
    expect(items.map((item) => item.meta?.['sourcetype'])).toEqual(['cef', 'cef']);
    expect(items.map((item) => item.meta?.['source'])).toEqual(['keycloak', 'keycloak']);
    expect(items[0]!.text).not.toContain('198.51.100.23');
  });

  it('batches by count and bytes into concatenated event objects', async () => {
    const hec = await startReceiver();
    const { sink } = hecSink(hec.url, { maxBatchEvents: 40 });
    await sink.deliver(keyedEnvelopeEvents(100));
    expect(hec.requests().map((request) => request.items)).toEqual([40, 40, 20]);
    expect(hec.received().map(idOf)).toEqual(keyedEnvelopeEvents(100).map((event) => event.key));
  });

  it('retries 503 code 9 (server busy) and 429 with Retry-After, then delivers', async () => {
    const hec = await startReceiver();
    hec.failNext({ count: 1, status: 503, body: BUSY });
    hec.failNext({ count: 1, status: 429, retryAfterSeconds: 2 });
    const { sink, sleep } = hecSink(hec.url, { concurrency: 1 });
    const result = await sink.deliver(keyedEnvelopeEvents(3));
    expect(result.retry).toEqual([]);
    expect(result.errors.map((error) => [error.status, error.auth])).toEqual([
      [503, false],
      [429, false],
    ]);
    expect(result.errors[0]!.reason).toBe('HEC 503 code 9: Server is busy');
    expect(sleep.calls).toEqual([100, 2000]);
    expect(hec.received()).toHaveLength(3);
  });

  it('hands 5xx back for a later retry once the attempts are spent', async () => {
    const hec = await startReceiver();
    hec.failNext({ count: 3, status: 500, body: JSON.stringify({ text: 'Internal server error', code: 8 }) });
    const { sink } = hecSink(hec.url, { attempts: 3 });
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.retry).toEqual([0, 1]);
    expect(result.errors.map((error) => error.reason)).toEqual(Array(3).fill('HEC 500 code 8: Internal server error'));
  });

  it('stops at a long Retry-After without sending the other requests, and reports it', async () => {
    const hec = await startReceiver();
    hec.failNext({ count: 1, status: 503, body: BUSY, retryAfterSeconds: 60 });
    const { sink, sleep } = hecSink(hec.url, { concurrency: 1, maxBatchEvents: 1 });
    const result = await sink.deliver(keyedEnvelopeEvents(3));
    expect(result.retry).toEqual([0, 1, 2]);
    expect(result.retryAfterMs).toBe(60_000);
    expect(sleep.calls).toEqual([]);
    expect(hec.stats().requests).toBe(1);
  });

  it.each([
    ['a wrong token', 'wrong-token', 403, 'HEC 403 code 4: Invalid token'],
    ['a 401 whose body echoes the token', undefined, 401, 'HEC 401 code 3: Invalid authorization'],
  ])('reports %s as an auth failure to retry, at once, without the token', async (_name, token, status, reason) => {
    const hec = await startReceiver();
    const { sink, sleep } = hecSink(hec.url, token === undefined ? {} : { token });
    if (token === undefined) hec.failNext({ count: 1, status: 401, body: JSON.stringify({ text: 'Invalid authorization', code: 3, echo: `Splunk ${TOKEN}` }) });
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.retry).toEqual([0, 1]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ status, auth: true });
    expect(result.errors[0]!.reason.startsWith(reason)).toBe(true);
    expect(sleep.calls).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('drops a request HEC refuses for good (incorrect index), with its reason', async () => {
    const hec = await startReceiver({ splunk: { token: TOKEN, indexes: ['main'] } });
    const { sink } = hecSink(hec.url, { index: 'mpas' });
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.retry).toEqual([]);
    expect(result.dropped).toEqual([0, 1].map((index) => ({ index, status: 400, reason: 'HEC 400 code 7: Incorrect index (event 0)' })));
    expect(hec.received()).toEqual([]);
  });

  it('drops only the invalid event, keeps the ones before it and resends the ones after it', async () => {
    const hec = await startReceiver();
    hec.rejectWhen((item) => ((item.json as { event: { id: string } }).event.id === 'e2' ? 400 : undefined));
    const { sink } = hecSink(hec.url);
    const result = await sink.deliver(keyedEnvelopeEvents(5));
    expect(result.dropped).toEqual([{ index: 2, status: 400, reason: 'HEC 400 code 6: Invalid data format (event 2)' }]);
    expect(result.retry).toEqual([]);
    expect(hec.received().map(idOf)).toEqual(['e0', 'e1', 'e3', 'e4']);
    expect(hec.requests().map((request) => [request.status, request.items])).toEqual([
      [400, 2],
      [200, 2],
    ]);
  });

  it('splits a request HEC finds too large (413), and drops an event too large alone', async () => {
    const hec = await startReceiver({ maxBodyBytes: 1_000 });
    const events = keyedEnvelopeEvents(6);
    const huge = { ...events[5]!, payload: events[5]!.payload.replace('"ipAddress"', `"pad":"${'x'.repeat(2_000)}","ipAddress"`) };
    const { sink } = hecSink(hec.url);
    const result = await sink.deliver([...events.slice(0, 5), huge]);
    expect(result.dropped).toEqual([{ index: 5, status: 413, reason: expect.stringContaining('too large for HEC') }]);
    expect(sortedKeys(hec.received().map(idOf))).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('retries a connection failure', async () => {
    const hec = await startReceiver();
    const url = hec.url;
    await hec.close();
    receiver = undefined;
    const { sink } = hecSink(url, { attempts: 2 });
    const result = await sink.deliver(keyedEnvelopeEvents(1));
    expect(result.retry).toEqual([0]);
    expect(result.errors[0]!.reason).toMatch(/^connection error/);
  });

  it('waits for indexer acknowledgement on its channel when useAck is on', async () => {
    const hec = await startReceiver({ splunk: { token: TOKEN, ack: true } });
    const { sink } = hecSink(hec.url, { useAck: true, channel: '0aecb4d7-0c4e-4c6c-8b47-9a2f1d2e3c4b', maxBatchEvents: 2 });
    const result = await sink.deliver(keyedEnvelopeEvents(4));
    expect(result).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(hec.requests().filter((request) => request.path === '/services/collector/ack')).toHaveLength(2);
    expect(hec.received()).toHaveLength(4);
  });

  it('sends the events again when HEC does not confirm their ackId before the ack timeout', async () => {
    const hec = await startReceiver({ splunk: { token: TOKEN, ack: true } });
    hec.holdAcks(true);
    const clock = new ManualClock(1_739_388_500_000);
    const polls: number[] = [];
    const sleep = async (ms: number) => {
      polls.push(ms);
      clock.advance(ms);
    };
    const { sink } = hecSink(hec.url, { useAck: true, ackTimeoutMs: 3_000, ackPollMs: 1_000, clock, sleep, attempts: 1 });
    const result = await sink.deliver(keyedEnvelopeEvents(2));
    expect(result.retry).toEqual([0, 1]);
    expect(result.errors).toEqual([{ reason: 'ackId 0 not confirmed by HEC within 3000 ms', auth: false }]);
    expect(polls).toEqual([1_000, 1_000, 1_000]);
  });

  it('drops a request without a channel when the token requires acknowledgement (code 10)', async () => {
    const hec = await startReceiver({ splunk: { token: TOKEN, ack: true } });
    const { sink } = hecSink(hec.url);
    const result = await sink.deliver(keyedEnvelopeEvents(1));
    expect(result.dropped).toEqual([{ index: 0, status: 400, reason: 'HEC 400 code 10: Data channel is missing' }]);
  });

  it('delivers 5,000 events through seeded 429/503/code 9/5xx bursts, nothing lost or duplicated', async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? 20_261_122);
    const random = createRandom(seed);
    const hec = await startReceiver();
    const { sink } = hecSink(hec.url, { concurrency: 4, maxBatchEvents: 250, attempts: 3, random: () => random.next() });
    const events = keyedEnvelopeEvents(5_000);
    let pending: OutboundEvent[] = events;
    let rounds = 0;
    while (pending.length > 0 && rounds < 100) {
      rounds += 1;
      for (let burst = random.int(0, 3); burst > 0; burst -= 1) {
        const status = random.pick([429, 503, 500, 502]);
        hec.failNext({ count: random.int(1, 4), status, body: status === 503 ? BUSY : undefined, retryAfterSeconds: random.chance(0.3) ? 1 : undefined });
      }
      const result = await sink.deliver(pending);
      expect(result.dropped, `seed ${seed}`).toEqual([]);
      pending = result.retry.map((index) => pending[index]!);
    }
    expect(pending, `seed ${seed}: still undelivered after ${rounds} rounds`).toEqual([]);
    const stored = hec.received().map(idOf);
    expect(sortedKeys(stored), `seed ${seed}`).toEqual(sortedKeys(events.map((event) => event.key)));
    expect(Object.keys(hec.stats().byStatus).length, `seed ${seed}: faults were injected`).toBeGreaterThan(1);
  });
});
