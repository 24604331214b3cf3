import { afterEach, describe, expect, it } from 'vitest';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { createDatadogLogsSink } from '../../../lib/sinks/datadog/datadog-logs-sink.js';
import { createHttpsSink } from '../../../lib/sinks/https/https-sink.js';
import type { HttpBatchMode } from '../../../lib/sinks/https/https-sink-options.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { keyedEnvelopeEvents, recordingSleep } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const API_KEY = 'dd0c6f4e8a1b2c3d4e5f60718293a4b5';

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

/** Three events, the middle one padded to `bytes` of payload (an admin event with a huge representation). */
function withOneHuge(bytes: number): OutboundEvent[] {
  const [first, middle, last] = keyedEnvelopeEvents(3);
  const envelope = JSON.parse(middle!.payload) as { event: Record<string, unknown> };
  envelope.event['representation'] = '';
  const padding = bytes - JSON.stringify(envelope).length;
  envelope.event['representation'] = 'x'.repeat(padding);
  return [first!, { ...middle!, payload: JSON.stringify(envelope) }, last!];
}

const ids = (items: ReturnType<SiemReceiver['received']>) => items.map((item) => (item.json as { event: { id: string } }).event.id);

describe('SIEM requests never above the limit', () => {
  it.each<HttpBatchMode>(['ndjson', 'array', 'single'])('https (%s): an event over SIEM_MAX_BATCH_BYTES is dead-lettered unsent, the others delivered', async (batch) => {
    receiver = await startSiemReceiver();
    const sink = createHttpsSink({ url: `${receiver.url}/ingest`, batch, auth: { kind: 'none' }, ...testSinkSettings(recordingSleep()), maxBatchBytes: 100_000 });
    sinks.push(sink);
    const events = withOneHuge(150_000);
    const result = await sink.deliver(events);
    expect(result.retry).toEqual([]);
    expect(result.dropped).toEqual([{ index: 1, reason: expect.stringMatching(/^event too large for the SIEM: 150\d{3} bytes, over the request limit \(SIEM_MAX_BATCH_BYTES\) of 100000 bytes; not sent$/) }]);
    expect(ids(receiver.received())).toEqual(['e0', 'e2']);
    expect(Math.max(...receiver.requests().map((request) => request.bytes))).toBeLessThanOrEqual(100_000);
  });

  it('datadog: limits above the intake\'s are lowered to 5 MB and 1,000 entries, and a log over 1 MB is dead-lettered, not truncated by Datadog', async () => {
    receiver = await startSiemReceiver({ datadog: { apiKey: API_KEY }, maxBodyBytes: 50_000_000 });
    const sink = createDatadogLogsSink({ url: receiver.url, apiKey: API_KEY, ...testSinkSettings(recordingSleep()), maxBatchBytes: 20_000_000, maxBatchEvents: 5_000 });
    sinks.push(sink);
    // Six logs of 0.9 MB: one request of 5 MB cannot hold them all.
    const big = (key: string) => {
      const [event] = withOneHuge(900_000).slice(1, 2);
      return { ...event!, key, payload: event!.payload.replace('"id":"e1"', `"id":"${key}"`) };
    };
    const events = [...withOneHuge(1_200_000), ...['b0', 'b1', 'b2', 'b3', 'b4', 'b5'].map(big)];
    const result = await sink.deliver(events);
    expect(result.dropped).toEqual([{ index: 1, reason: expect.stringMatching(/^event too large for the SIEM: 12\d{5} bytes, over Datadog's limit per event of 1000000 bytes; not sent$/) }]);
    expect(ids(receiver.received()).sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'e0', 'e2']);
    expect(receiver.requests().length).toBe(2);
    expect(Math.max(...receiver.requests().map((request) => request.bytes))).toBeLessThanOrEqual(5_000_000);
  });
});
