import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const TENANT = 'contoso.onmicrosoft.com';
const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const STREAM = 'Custom-MpasEvents_CL';
const INGEST = `/dataCollectionRules/${DCR}/streams/${STREAM}`;
const FORM = { client_id: 'app', client_secret: 's3cr3t', grant_type: 'client_credentials', scope: 'https://monitor.azure.com//.default' };
let receiver: SiemReceiver | undefined;
const clock = new ManualClock(1_739_388_500_000);

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ clock, sentinel: { tenantId: TENANT, clientId: 'app', clientSecret: 's3cr3t', dcrImmutableId: DCR, streamName: STREAM, tokenLifetimeSeconds: 600 } });
  return receiver;
}

async function tokenRequest(form: Record<string, string>, tenant = TENANT) {
  const response = await request(`${receiver!.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function ingest(body: string | Buffer, options: { token?: string; path?: string; query?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const response = await request(`${receiver!.url}${options.path ?? INGEST}${options.query ?? '?api-version=2023-01-01'}`, { method: 'POST', headers, body });
  const text = await response.body.text();
  return { status: response.statusCode, code: text === '' ? undefined : ((JSON.parse(text) as { error: { code: string } }).error.code) };
}

const record = { TimeGenerated: '2025-02-12T19:27:48.633Z', EventType: 'user-event', Realm: 'acme', Stream: 'user', EventId: 'e1', Event: { id: 'e1', type: 'LOGIN' } };

describe('SiemReceiver (Entra ID token endpoint)', () => {
  it('issues bearer tokens for the client credentials grant and Azure Monitor scope only', async () => {
    await start();
    const issued = await tokenRequest(FORM);
    expect(issued).toEqual({ status: 200, body: { token_type: 'Bearer', expires_in: 600, ext_expires_in: 600, access_token: expect.any(String) } });
    expect((await tokenRequest({ ...FORM, client_secret: 'wrong' })).body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect((await tokenRequest({ ...FORM, client_id: 'other' })).body).toMatchObject({ error: 'unauthorized_client' });
    expect((await tokenRequest({ ...FORM, grant_type: 'password' })).body).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await tokenRequest({ ...FORM, scope: 'https://monitor.azure.com/.default' })).body).toMatchObject({ error: 'invalid_scope' });
    expect(await tokenRequest(FORM, 'fabrikam.onmicrosoft.com')).toMatchObject({ status: 400, body: { error: 'invalid_request', error_codes: [90002] } });
  });
});

describe('SiemReceiver (Logs Ingestion API)', () => {
  it('stores a JSON array of records as envelopes with their columns, answering 204', async () => {
    await start();
    const token = String((await tokenRequest(FORM)).body['access_token']);
    const cef = { ...record, EventId: 'e2', Event: undefined, Message: 'CEF:0|V|P|1|S|N|3|' };
    expect(await ingest(gzipSync(JSON.stringify([record, cef])), { token, headers: { 'content-encoding': 'gzip' } })).toEqual({ status: 204, code: undefined });
    expect(receiver!.received().map(({ format, json, text, meta }) => ({ format, json, text, meta }))).toEqual([
      { format: 'json', json: { timestamp: record.TimeGenerated, eventType: 'user-event', event: record.Event }, text: expect.any(String), meta: { TimeGenerated: record.TimeGenerated, EventType: 'user-event', Realm: 'acme', Stream: 'user', EventId: 'e1' } },
      { format: 'cef', json: undefined, text: 'CEF:0|V|P|1|S|N|3|', meta: { TimeGenerated: record.TimeGenerated, EventType: 'user-event', Realm: 'acme', Stream: 'user', EventId: 'e2' } },
    ]);
  });

  it('applies Azure rules: api-version, a live token, the DCR and stream, the array shape and the 1 MB limit', async () => {
    await start();
    const token = String((await tokenRequest(FORM)).body['access_token']);
    const body = JSON.stringify([record]);
    expect(await ingest(body, { token, query: '' })).toEqual({ status: 400, code: 'MissingApiVersionParameter' });
    expect(await ingest(body, { token, query: '?api-version=2020-01-01' })).toEqual({ status: 400, code: 'InvalidApiVersionParameter' });
    expect(await ingest(body)).toEqual({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(await ingest(body, { token: 'forged' })).toEqual({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(await ingest(body, { token, path: `/dataCollectionRules/dcr-ffffffffffffffffffffffffffffffff/streams/${STREAM}` })).toEqual({ status: 404, code: 'NotFound' });
    expect(await ingest(body, { token, path: `/dataCollectionRules/${DCR}/streams/Custom-Other_CL` })).toEqual({ status: 400, code: 'InvalidStream' });
    expect(await ingest(JSON.stringify(record), { token })).toEqual({ status: 400, code: 'InvalidPayload' });
    expect(await ingest(JSON.stringify([{ ...record, TimeGenerated: undefined }]), { token })).toEqual({ status: 400, code: 'InvalidPayload' });
    const big = JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ ...record, EventId: `e${i}`, Pad: 'x'.repeat(200) })));
    expect(await ingest(big, { token })).toEqual({ status: 413, code: 'ContentLengthLimitExceeded' });
    expect(await ingest(gzipSync(big), { token, headers: { 'content-encoding': 'gzip' } })).toEqual({ status: 413, code: 'ContentLengthLimitExceeded' });
    expect(await ingest(body, { token })).toEqual({ status: 204, code: undefined });
    clock.advance(600_000);
    expect(await ingest(body, { token })).toEqual({ status: 401, code: 'ExpiredAuthenticationToken' });
    expect(receiver!.received()).toHaveLength(1);
  });
});
