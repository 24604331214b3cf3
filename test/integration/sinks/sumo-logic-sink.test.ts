import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../devtools/generators/random.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { createSumoLogicSink } from '../../../lib/sinks/sumo-logic/sumo-logic-sink.js';
import type { SumoLogicSinkOptions } from '../../../lib/sinks/sumo-logic/sumo-logic-sink.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const TOKEN = 'ZaVnC4dhaV2ZCWrx-sumo-source-token==';

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(maxBodyBytes?: number): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ sumo: { token: TOKEN }, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) });
  return receiver;
}

function sumoSink(url: string, overrides: Partial<SumoLogicSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createSumoLogicSink({
    url,
    token: TOKEN,
    ...testSinkSettings(sleep),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (item: { json?: unknown }) => (item.json as { event: { id: string } }).event.id;

describe('SumoLogicSink', () => {
  it('delivers the seed samples, redacted, one per line to the source URL with the X-Sumo headers', async () => {
    const sumo = await startReceiver();
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = sumoSink(sumo.url, { category: 'security/mpas', sourceName: 'mpas-log-sync', host: 'sync-1', fields: 'tenant=acme,env=prod', gzip: true });
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(sumo.received().map((item) => item.json)).toEqual(envelopes);
    expect(sumo.received()[0]!.meta).toEqual({ category: 'security/mpas', name: 'mpas-log-sync', host: 'sync-1', fields: 'tenant=acme,env=prod' });
    expect(JSON.stringify(sumo.received())).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
    expect(sumo.requests()).toEqual([expect.objectContaining({ status: 200, contentEncoding: 'gzip', items: 2 })]);
  });

  it('sends CEF lines as they are', async () => {
    const sumo = await startReceiver();
    const { events } = seedSampleOutbound('cef');
    const { sink } = sumoSink(`${sumo.url}/receiver/v1/http`, { format: 'cef' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    expect(sumo.received().map((item) => [item.format, item.text])).toEqual(events.map((event) => ['cef', event.payload]));
  });

  it('retries 429 and 503, splits on 413, drops a 400, and flags an unknown token without showing it', async () => {
    const sumo = await startReceiver(1_500);
    sumo.failNext({ count: 1, status: 429, retryAfterSeconds: 1 });
    sumo.failNext({ count: 1, status: 503 });
    const { sink, sleep } = sumoSink(sumo.url, { concurrency: 1 });
    const events = keyedEnvelopeEvents(12);
    const result = await sink.deliver(events);
    expect(result).toMatchObject({ retry: [], dropped: [] });
    expect(result.errors.map((error) => error.status)).toEqual([429, 503, 413]);
    expect(sleep.calls).toEqual([1_000, 200]);
    expect(sortedKeys(sumo.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));

    sumo.failNext({ count: 1, status: 400 });
    expect((await sink.deliver(keyedEnvelopeEvents(1, 'b'))).dropped).toEqual([{ index: 0, status: 400, reason: 'HTTP 400: {"error":"injected 400"}' }]);

    const other = `${TOKEN}x`;
    const wrong = await sumoSink(sumo.url, { token: other }).sink.deliver(keyedEnvelopeEvents(1, 'w'));
    expect(wrong.errors).toEqual([{ status: 401, auth: true, reason: 'HTTP 401: {"id":"LOCAL","code":"unauthorized","message":"the HTTP source was not found or is disabled"}' }]);
    sumo.failNext({ count: 1, status: 401, body: `no source at /receiver/v1/http/${encodeURIComponent(TOKEN)}` });
    const echoed = await sink.deliver(keyedEnvelopeEvents(1, 'x'));
    expect(echoed.errors).toEqual([{ status: 401, auth: true, reason: 'HTTP 401: no source at /receiver/v1/http/***' }]);
  });

  it('delivers 5,000 events through seeded 429/5xx bursts, nothing lost or duplicated', async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? 20_261_122);
    const random = createRandom(seed);
    const sumo = await startReceiver();
    const { sink } = sumoSink(sumo.url, { concurrency: 4, maxBatchEvents: 250, random: () => random.next() });
    const events = keyedEnvelopeEvents(5_000);
    let pending: OutboundEvent[] = events;
    let rounds = 0;
    while (pending.length > 0 && rounds < 100) {
      rounds += 1;
      for (let burst = random.int(0, 3); burst > 0; burst -= 1) sumo.failNext({ count: random.int(1, 4), status: random.pick([429, 500, 502, 503]) });
      const result = await sink.deliver(pending);
      expect(result.dropped, `seed ${seed}`).toEqual([]);
      pending = result.retry.map((index) => pending[index]!);
    }
    expect(pending, `seed ${seed}: still undelivered after ${rounds} rounds`).toEqual([]);
    expect(sortedKeys(sumo.received().map(idOf)), `seed ${seed}`).toEqual(sortedKeys(events.map((event) => event.key)));
    expect(Object.keys(sumo.stats().byStatus).length, `seed ${seed}: faults were injected`).toBeGreaterThan(1);
  });
});
