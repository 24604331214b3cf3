import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';

const TOKEN = 'c291cmNlLXRva2Vu';
let receiver: SiemReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function post(token: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await request(`${receiver!.url}/receiver/v1/http/${token}`, { method: 'POST', headers, body });
  return { status: response.statusCode, text: await response.body.text() };
}

describe('SiemReceiver (Sumo Logic HTTP Source)', () => {
  it('stores each non-empty line with the X-Sumo headers, JSON parsed and CEF as text', async () => {
    receiver = await startSiemReceiver({ sumo: { token: TOKEN } });
    const body = '{"a":1}\r\n\nCEF:0|V|P|1|S|N|3|msg=x\nplain text\n';
    expect((await post(TOKEN, gzipSync(body), { 'content-encoding': 'gzip', 'x-sumo-category': 'sec/mpas', 'x-sumo-fields': 'tenant=acme' })).status).toBe(200);
    expect(receiver.received().map(({ format, text, json, meta }) => ({ format, text, json, meta }))).toEqual([
      { format: 'json', text: '{"a":1}', json: { a: 1 }, meta: { category: 'sec/mpas', fields: 'tenant=acme' } },
      { format: 'cef', text: 'CEF:0|V|P|1|S|N|3|msg=x', json: undefined, meta: { category: 'sec/mpas', fields: 'tenant=acme' } },
      { format: 'json', text: 'plain text', json: undefined, meta: { category: 'sec/mpas', fields: 'tenant=acme' } },
    ]);
  });

  it.each([
    ['an unknown token', 'other', '{"a":1}', 401],
    ['a token that is not URL-encoded text', '%E0%A4%A', '{"a":1}', 401],
    ['an empty body', TOKEN, ' \n', 400],
  ])('refuses %s, storing nothing', async (_name, token, body, status) => {
    receiver = await startSiemReceiver({ sumo: { token: TOKEN } });
    const answer = await post(token, body);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(receiver.received()).toEqual([]);
  });
});
