import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemReceiver, SplunkReceiverOptions } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';

const TOKEN = 'b0a1e2f3-hec-token';
const CHANNEL = '0aecb4d7-0c4e-4c6c-8b47-9a2f1d2e3c4b';

let receiver: SiemReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(splunk: Partial<SplunkReceiverOptions> = {}): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ splunk: { token: TOKEN, ...splunk }, auth: { bearerToken: 'generic-only' } });
  return receiver;
}

async function post(path: string, body: string | Buffer, headers: Record<string, string> = { authorization: `Splunk ${TOKEN}` }) {
  const response = await request(`${receiver!.url}${path}`, { method: 'POST', headers, body });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const hecEvent = (event: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ time: 1739388468.633, ...extra, event });

describe('SiemReceiver (Splunk HEC)', () => {
  it('stores concatenated events with their metadata, on its own token and not the generic auth', async () => {
    const hec = await start();
    const body = hecEvent({ a: 1 }, { index: 'main', sourcetype: 'mpas:event' }) + hecEvent('CEF:0|V|P|1|S|N|3|msg=x') + '\n' + hecEvent('plain text');
    expect(await post('/services/collector/event', body)).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(hec.received().map(({ format, text, json, meta }) => ({ format, text, json, meta }))).toEqual([
      { format: 'json', text: '{"a":1}', json: { a: 1 }, meta: { time: 1739388468.633, index: 'main', sourcetype: 'mpas:event' } },
      { format: 'cef', text: 'CEF:0|V|P|1|S|N|3|msg=x', json: undefined, meta: { time: 1739388468.633 } },
      { format: 'json', text: 'plain text', json: undefined, meta: { time: 1739388468.633 } },
    ]);
  });

  it('inflates gzip bodies', async () => {
    const hec = await start();
    const status = (await post('/services/collector/event', gzipSync(hecEvent({ z: 1 })), { authorization: `Splunk ${TOKEN}`, 'content-encoding': 'gzip' })).status;
    expect(status).toBe(200);
    expect(hec.received()).toHaveLength(1);
  });

  it.each([
    ['no token', {}, 401, { text: 'Token is required', code: 2 }],
    ['a bearer token', { authorization: `Bearer ${TOKEN}` }, 401, { text: 'Invalid authorization', code: 3 }],
    ['a wrong token', { authorization: 'Splunk other' }, 403, { text: 'Invalid token', code: 4 }],
  ])('refuses %s as HEC does', async (_name, headers, status, body) => {
    const hec = await start();
    expect(await post('/services/collector/event', hecEvent({ a: 1 }), headers)).toEqual({ status, body });
    expect(hec.received()).toEqual([]);
  });

  it.each([
    ['an empty body', '  ', { text: 'No data', code: 5 }],
    ['a broken third event', hecEvent(1) + hecEvent(2) + '{"event":', { text: 'Invalid data format', code: 6, 'invalid-event-number': 2 }],
    ['an event without the event field', hecEvent(1) + JSON.stringify({ time: 1 }), { text: 'Event field is required', code: 12, 'invalid-event-number': 1 }],
    ['a blank event', JSON.stringify({ event: '' }), { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': 0 }],
    ['a time that is not a number', JSON.stringify({ time: 'yesterday', event: 1 }), { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }],
  ])('answers 400 to %s, storing the events before the bad one', async (_name, body, answer) => {
    const hec = await start();
    expect(await post('/services/collector/event', body)).toEqual({ status: 400, body: answer });
    const before = 'invalid-event-number' in answer ? answer['invalid-event-number'] : 0;
    expect(hec.received()).toHaveLength(before);
  });

  it('refuses an index the token may not write to (code 7)', async () => {
    await start({ indexes: ['main'] });
    expect(await post('/services/collector/event', hecEvent(1, { index: 'main' }) + hecEvent(2, { index: 'secret' }))).toEqual({
      status: 400,
      body: { text: 'Incorrect index', code: 7, 'invalid-event-number': 1 },
    });
  });

  it('issues ackIds per channel and confirms them unless held; refuses channel mistakes', async () => {
    const hec = await start({ ack: true });
    const withChannel = { authorization: `Splunk ${TOKEN}`, 'x-splunk-request-channel': CHANNEL };
    expect(await post('/services/collector/event', hecEvent(1))).toEqual({ status: 400, body: { text: 'Data channel is missing', code: 10 } });
    expect(await post('/services/collector/event', hecEvent(1), { ...withChannel, 'x-splunk-request-channel': 'abc' })).toEqual({ status: 400, body: { text: 'Invalid data channel', code: 11 } });
    expect(await post('/services/collector/event', hecEvent(1), withChannel)).toEqual({ status: 200, body: { text: 'Success', code: 0, ackId: 0 } });
    expect(await post('/services/collector/event', hecEvent(2), withChannel)).toEqual({ status: 200, body: { text: 'Success', code: 0, ackId: 1 } });
    hec.holdAcks(true);
    expect(await post(`/services/collector/ack?channel=${CHANNEL}`, '{"acks":[0,1,2]}')).toEqual({ status: 200, body: { acks: { '0': false, '1': false, '2': false } } });
    hec.holdAcks(false);
    expect(await post(`/services/collector/ack?channel=${CHANNEL}`, '{"acks":[0,1,2]}')).toEqual({ status: 200, body: { acks: { '0': true, '1': true, '2': false } } });
    expect(await post('/services/collector/ack', '{"acks":"x"}', withChannel)).toEqual({ status: 400, body: { text: 'Invalid data format', code: 6 } });
  });

  it('answers ack queries with code 14 when acknowledgement is off', async () => {
    await start();
    expect(await post(`/services/collector/ack?channel=${CHANNEL}`, '{"acks":[0]}')).toEqual({ status: 400, body: { text: 'ACK is disabled', code: 14 } });
  });

  it('words rejectWhen faults as HEC: 503 is server busy for the whole request', async () => {
    const hec = await start();
    hec.rejectWhen(() => 503);
    expect(await post('/services/collector/event', hecEvent(1))).toEqual({ status: 503, body: { text: 'Server is busy', code: 9 } });
    expect(hec.received()).toEqual([]);
  });
});
