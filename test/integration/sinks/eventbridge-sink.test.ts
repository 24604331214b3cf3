import { afterEach, describe, expect, it } from 'vitest';
import { startAwsJsonReceiver } from '../../../devtools/siem-receiver/aws-json-receiver.js';
import type { AwsJsonReceiver, AwsReceivedEntry } from '../../../devtools/siem-receiver/aws-json-receiver.js';
import { createEventBridgeSink } from '../../../lib/sinks/eventbridge/eventbridge-sink.js';
import type { EventBridgeSinkOptions } from '../../../lib/sinks/eventbridge/eventbridge-sink.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { testSinkSettings } from '../../support/sink-test-settings.js';

const CREDENTIALS = { accessKeyId: 'AKIDRECEIVERTEST', secretAccessKey: 'receiver-secret-not-secret' };
const RESOURCE = 'arn:aws:cognito-idp:us-east-1:111122223333:userpool/acme';

let receiver: AwsJsonReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(): Promise<AwsJsonReceiver> {
  receiver = await startAwsJsonReceiver({ accessKeyId: CREDENTIALS.accessKeyId, eventbridge: { buses: ['security'] } });
  return receiver;
}

function ebSink(endpoint: string, overrides: Partial<EventBridgeSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createEventBridgeSink({
    ...testSinkSettings(sleep),
    endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    bus: 'security',
    source: 'mpas-log-sync',
    userDetailType: 'MPAS User Event',
    adminDetailType: 'MPAS Admin Event',
    resources: [],
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (entry: AwsReceivedEntry) => (JSON.parse(entry.text) as { event: { id: string } }).event.id;

describe('EventBridgeSink through the SDK against a local PutEvents', () => {
  it('puts one entry per event: Detail the document, DetailType by stream, Source, Time and Resources', async () => {
    const eb = await startReceiver();
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = ebSink(eb.url, { resources: [RESOURCE] });
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(eb.received().map((entry) => JSON.parse(entry.text))).toEqual(envelopes);
    expect(eb.received().map((entry) => entry.meta)).toEqual([
      { EventBusName: 'security', Source: 'mpas-log-sync', DetailType: 'MPAS Admin Event', Time: events[0]!.time / 1000, Resources: [RESOURCE] },
      { EventBusName: 'security', Source: 'mpas-log-sync', DetailType: 'MPAS User Event', Time: events[1]!.time / 1000, Resources: [RESOURCE] },
    ]);
    expect(JSON.stringify(eb.received())).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
  });

  it('sends 10 entries per call at most, and keeps each call within 256 KB as EventBridge sizes entries', async () => {
    const eb = await startReceiver();
    const { sink } = ebSink(eb.url, { maxBatchEvents: 500 });
    const padded = (event: OutboundEvent): OutboundEvent => ({ ...event, payload: event.payload.replace('"type":"LOGIN"', `"type":"LOGIN","pad":"${'x'.repeat(100_000)}"`) });
    const events = [...keyedEnvelopeEvents(25, 'a'), ...keyedEnvelopeEvents(3, 'big').map(padded)];
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(sortedKeys(eb.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));
    // 25 small ones in 10 + 10 + 5, then two 100 KB entries together and the third alone.
    expect(eb.calls().map((call) => [call.target, call.entries, call.status])).toEqual([
      ['AWSEvents.PutEvents', 10, 200],
      ['AWSEvents.PutEvents', 10, 200],
      ['AWSEvents.PutEvents', 7, 200],
      ['AWSEvents.PutEvents', 1, 200],
    ]);
  });

  it('sends again alone the entries failed with ThrottlingException or InternalException until all land, none twice', async () => {
    const eb = await startReceiver();
    const failedOnce = new Set<string>();
    eb.failEntriesWhen((entry) => {
      const id = idOf(entry);
      const index = Number(id.slice(1));
      if (index % 3 !== 0 || failedOnce.has(id)) return undefined;
      failedOnce.add(id);
      return index % 2 === 0 ? { code: 'ThrottlingException', message: 'Rate exceeded' } : { code: 'InternalException', message: 'Internal error' };
    });
    const events = keyedEnvelopeEvents(30);
    const { sink, sleep } = ebSink(eb.url);
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [] });
    expect(sortedKeys(eb.received().map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));
    // Three calls of 10, each with its failed entries (indices 0, 3, 6, 9 ...) sent once more, alone.
    expect(eb.calls().map((call) => [call.entries, call.failed])).toEqual(expect.arrayContaining([[10, 4], [10, 3], [10, 3], [4, 0], [3, 0], [3, 0]]));
    expect(eb.calls()).toHaveLength(6);
    expect(sleep.calls).toHaveLength(3);
  });

  it('drops an entry refused for good with EventBridge\'s code, and an entry over 256 KB unsent, delivering the rest', async () => {
    const eb = await startReceiver();
    eb.failEntriesWhen((entry) => (idOf(entry) === 'e2' ? { code: 'AccessDeniedException', message: 'not allowed on this bus' } : undefined));
    const events = keyedEnvelopeEvents(5);
    events[4] = { ...events[4]!, payload: events[4]!.payload.replace('"type":"LOGIN"', `"type":"LOGIN","pad":"${'x'.repeat(262_144)}"`) };
    const { sink } = ebSink(eb.url);
    const delivery = await sink.deliver(events);
    expect(delivery.retry).toEqual([]);
    expect(delivery.dropped).toEqual([
      { index: 2, reason: 'EventBridge refused the entry: AccessDeniedException: not allowed on this bus' },
      { index: 4, reason: expect.stringMatching(/^event too large for the SIEM: 26\d{4} bytes, over EventBridge's limit per entry of 262144 bytes; not sent$/) },
    ]);
    expect(sortedKeys(eb.received().map(idOf))).toEqual(['e0', 'e1', 'e3']);
  });

  it('retries a call refused whole with a throttle or a 5xx, and gives a refused signature back flagged as an auth failure', async () => {
    const eb = await startReceiver();
    eb.failNext({ count: 1, status: 400, errorType: 'ThrottlingException', message: 'Rate exceeded' });
    eb.failNext({ count: 1, status: 500, errorType: 'InternalFailure' });
    const events = keyedEnvelopeEvents(3);
    const { sink } = ebSink(eb.url);
    const delivery = await sink.deliver(events);
    expect(delivery).toMatchObject({ retry: [], dropped: [] });
    expect(delivery.errors.map((error) => [error.status, error.auth, error.reason.split(':')[0]])).toEqual([
      [400, false, 'HTTP 400 ThrottlingException'],
      [500, false, 'HTTP 500 InternalFailure'],
    ]);
    expect(eb.received()).toHaveLength(3);

    const { sink: stranger } = ebSink(eb.url, { credentials: { accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: 'x' }, attempts: 1 });
    const refused = await stranger.deliver(events);
    expect(refused.retry).toEqual([0, 1, 2]);
    expect(refused.errors).toEqual([{ status: 400, auth: true, reason: 'HTTP 400 UnrecognizedClientException: The security token included in the request is invalid.' }]);
  });

  it('drops the events of a call to a bus that does not exist, naming it', async () => {
    const eb = await startReceiver();
    const { sink } = ebSink(eb.url, { bus: 'missing' });
    const delivery = await sink.deliver(keyedEnvelopeEvents(2));
    expect(delivery.dropped.map((drop) => drop.reason)).toEqual(Array(2).fill('HTTP 400 ResourceNotFoundException: Event bus missing does not exist.'));
  });

  it('checks the bus with DescribeEventBus, storing nothing', async () => {
    const eb = await startReceiver();
    expect(await ebSink(eb.url).sink.healthcheck()).toEqual({ ok: true, detail: 'ok: event bus arn:aws:events:us-east-1:111122223333:event-bus/security exists; PutEvents is checked with --send-test-event' });
    expect(await ebSink(eb.url, { bus: 'missing' }).sink.healthcheck()).toEqual({ ok: false, detail: 'event bus missing: HTTP 400 ResourceNotFoundException: Event bus missing does not exist.' });
    expect(eb.received()).toEqual([]);
  });
});
