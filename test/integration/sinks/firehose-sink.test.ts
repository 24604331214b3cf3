import { afterEach, describe, expect, it } from 'vitest';
import { startAwsJsonReceiver } from '../../../devtools/siem-receiver/aws-json-receiver.js';
import type { AwsJsonReceiver, AwsReceivedEntry } from '../../../devtools/siem-receiver/aws-json-receiver.js';
import { createFirehoseSink } from '../../../lib/sinks/firehose/firehose-sink.js';
import type { FirehoseSinkOptions } from '../../../lib/sinks/firehose/firehose-sink.js';
import type { Sink } from '../../../lib/sinks/sink.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const CREDENTIALS = { accessKeyId: 'AKIDRECEIVERTEST', secretAccessKey: 'receiver-secret-not-secret' };

let receiver: AwsJsonReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(): Promise<AwsJsonReceiver> {
  receiver = await startAwsJsonReceiver({ accessKeyId: CREDENTIALS.accessKeyId, firehose: { streams: ['mpas-audit'] } });
  return receiver;
}

function fhSink(endpoint: string, overrides: Partial<FirehoseSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createFirehoseSink({ ...testSinkSettings(sleep), endpoint, region: 'us-east-1', credentials: CREDENTIALS, streamName: 'mpas-audit', ...overrides });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (entry: AwsReceivedEntry) => (JSON.parse(entry.text) as { event: { id: string } }).event.id;

describe('FirehoseSink through the SDK against a local PutRecordBatch', () => {
  it('puts one newline-terminated record per event, JSON documents and CEF lines alike', async () => {
    const fh = await startReceiver();
    const json = seedSampleOutbound('json');
    expect(await fhSink(fh.url).sink.deliver(json.events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    const cef = seedSampleOutbound('cef');
    expect(await fhSink(fh.url, { format: 'cef' }).sink.deliver(cef.events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(fh.received().map((record) => record.text)).toEqual([...json.events, ...cef.events].map((event) => `${event.payload}\n`));
    expect(fh.received().slice(0, 2).map((record) => JSON.parse(record.text))).toEqual(json.envelopes);
    expect(fh.received().every((record) => record.meta['DeliveryStreamName'] === 'mpas-audit')).toBe(true);
  });

  it('sends 500 records per call at most, whatever SIEM_MAX_BATCH_EVENTS says', async () => {
    const fh = await startReceiver();
    const events = keyedEnvelopeEvents(1_200);
    const { sink } = fhSink(fh.url, { maxBatchEvents: 1_000, maxBatchBytes: 5_000_000 });
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(fh.calls().map((call) => call.entries)).toEqual([500, 500, 200]);
    expect(sortedKeys(fh.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));
  });

  it('sends again alone the records failed with ServiceUnavailableException or InternalFailure until all land, none twice', async () => {
    const fh = await startReceiver();
    const failures = new Map<string, number>();
    fh.failEntriesWhen((record) => {
      const id = idOf(record);
      const index = Number(id.slice(1));
      const failed = failures.get(id) ?? 0;
      // Every fourth record fails twice, first throttled then with an internal failure.
      if (index % 4 !== 0 || failed >= 2) return undefined;
      failures.set(id, failed + 1);
      return failed === 0 ? { code: 'ServiceUnavailableException', message: 'Slow down.' } : { code: 'InternalFailure', message: 'Internal service failure.' };
    });
    const events = keyedEnvelopeEvents(40);
    const { sink, sleep } = fhSink(fh.url);
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [] });
    expect(sortedKeys(fh.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));
    expect(fh.calls().map((call) => [call.entries, call.failed])).toEqual([[40, 10], [10, 10], [10, 0]]);
    expect(sleep.calls).toHaveLength(2);
  });

  it('drops a record refused for good and a record over 1,000 KiB unsent, delivering the rest', async () => {
    const fh = await startReceiver();
    fh.failEntriesWhen((record) => (idOf(record) === 'e1' ? { code: 'KMS.AccessDeniedException', message: 'the stream\'s key refused Firehose' } : undefined));
    const events = keyedEnvelopeEvents(4);
    events[3] = { ...events[3]!, payload: events[3]!.payload.replace('"type":"LOGIN"', `"type":"LOGIN","pad":"${'x'.repeat(1_024_000)}"`) };
    const { sink } = fhSink(fh.url, { maxBatchBytes: 4_000_000 });
    const delivery = await sink.deliver(events);
    expect(delivery.dropped).toEqual([
      { index: 1, reason: 'Firehose refused the entry: KMS.AccessDeniedException: the stream\'s key refused Firehose' },
      { index: 3, reason: expect.stringMatching(/^event too large for the SIEM: 102\d{4} bytes, over Firehose's limit per record of 1024000 bytes; not sent$/) },
    ]);
    expect(sortedKeys(fh.received().map(idOf))).toEqual(['e0', 'e2']);
  });

  it('retries a call refused whole with ServiceUnavailableException, and drops the events of an unknown stream naming it', async () => {
    const fh = await startReceiver();
    fh.failNext({ count: 2, status: 400, errorType: 'ServiceUnavailableException', message: 'Slow down.' });
    const { sink } = fhSink(fh.url);
    const delivery = await sink.deliver(keyedEnvelopeEvents(3));
    expect(delivery).toMatchObject({ retry: [], dropped: [] });
    expect(delivery.errors).toHaveLength(2);
    expect(fh.received()).toHaveLength(3);
    const missing = await fhSink(fh.url, { streamName: 'missing' }).sink.deliver(keyedEnvelopeEvents(1));
    expect(missing.dropped).toEqual([{ index: 0, status: 400, reason: 'HTTP 400 ResourceNotFoundException: Firehose missing under account 111122223333 not found.' }]);
  });

  it('checks the stream with DescribeDeliveryStream, storing nothing', async () => {
    const fh = await startReceiver();
    expect(await fhSink(fh.url).sink.healthcheck()).toEqual({ ok: true, detail: 'ok: Firehose stream mpas-audit is ACTIVE; PutRecordBatch is checked with --send-test-event' });
    expect((await fhSink(fh.url, { streamName: 'missing' }).sink.healthcheck()).ok).toBe(false);
    expect(fh.received()).toEqual([]);
  });
});
