import { describe, expect, it } from 'vitest';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { createHttpsSink } from '../../../lib/sinks/https/https-sink.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { createSplunkHecSink } from '../../../lib/sinks/splunk-hec/splunk-hec-sink.js';
import { keyedEnvelopeEvents, recordingSleep } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

// 200 ms rather than 100: the answer at 2.5 x must fit the third timeout (800 ms) with room for
// a stall of the loaded machine running the rest of the suite.
const TIMEOUT_MS = 200;
const SLOW_MS = 500;
const HEC_TOKEN = 'slow-hec-token-4d7a';

/** Delivers `event` again and again, the way the local consumer and the queue redeliver, until the SIEM takes it; the reasons of its failed requests. */
async function deliverUntilTaken(sink: Sink, event: OutboundEvent): Promise<string[]> {
  const reasons: string[] = [];
  for (let delivery = 0; delivery < 10; delivery += 1) {
    const result = await sink.deliver([event]);
    reasons.push(...result.errors.map((error) => error.reason));
    if (result.retry.length === 0) return reasons;
  }
  throw new Error(`not taken after 10 deliveries: ${reasons.join('; ')}`);
}

/** Copies of `key` the SIEM stored, once every request it got has run its course (stored after the latency, answered or not). */
async function copiesStored(receiver: SiemReceiver, key: string): Promise<number> {
  await receiver.waitFor(() => receiver.requests().every((request) => request.status !== 'hung'));
  return receiver.received().filter((item) => JSON.stringify(item.json).includes(`"id":"${key}"`)).length;
}

/**
 * A SIEM answering after 2.5 x SIEM_TIMEOUT_MS, through the generic sink (its own request code,
 * one try per delivery: every copy is a redelivery) and through HEC (the protocol sinks' shared
 * exchange, three tries per delivery).
 */
const cases = [
  {
    name: 'https, one try per delivery',
    start: () => startSiemReceiver(),
    sink: (url: string) => createHttpsSink({ ...testSinkSettings(recordingSleep()), url: `${url}/ingest`, batch: 'array', auth: { kind: 'none' }, timeoutMs: TIMEOUT_MS, attempts: 1 }),
  },
  {
    name: 'splunk-hec, three tries per delivery',
    start: () => startSiemReceiver({ splunk: { token: HEC_TOKEN } }),
    sink: (url: string) => createSplunkHecSink({ ...testSinkSettings(recordingSleep()), url, token: HEC_TOKEN, timeoutMs: TIMEOUT_MS, attempts: 3 }),
  },
];

describe('a SIEM slower than SIEM_TIMEOUT_MS', () => {
  // The two run side by side: each waits on its own SIEM's timeouts.
  it.concurrent.each(cases)('$name: gets at most 3 copies of an event answering at 2.5 x the timeout, each timeout saying its length; the timeout steps down once answers are fast', async ({ start, sink: createSink }) => {
    const receiver = await start();
    const sink = createSink(receiver.url);
    try {
      const [slow, ...fast] = keyedEnvelopeEvents(4, 'slow-');
      const [probe] = keyedEnvelopeEvents(1, 'probe-');

      receiver.setLatency(SLOW_MS);
      const reasons = await deliverUntilTaken(sink, slow!);
      expect(reasons).toEqual([`timeout: no complete response within ${TIMEOUT_MS} ms`, `timeout: no complete response within ${2 * TIMEOUT_MS} ms`]);
      expect(await copiesStored(receiver, slow!.key)).toBe(3);

      // Fast again: 800 -> 400 -> 200 ms, one step per answer in under half the timeout.
      receiver.setLatency(0);
      for (const event of fast) expect(await deliverUntilTaken(sink, event)).toEqual([]);
      // A request the SIEM never answers shows the timeout in force: back at SIEM_TIMEOUT_MS.
      receiver.hangNext(1);
      expect(await deliverUntilTaken(sink, probe!)).toEqual([`timeout: no complete response within ${TIMEOUT_MS} ms`]);
    } finally {
      await sink.close();
      await receiver.close();
    }
  });
});
