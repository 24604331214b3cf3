import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';

const API_KEY = 'dd-key-0123456789';
let receiver: SiemReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function post(body: string, headers: Record<string, string> = {}) {
  const all = Object.entries({ 'dd-api-key': API_KEY, 'content-type': 'application/json', ...headers }).filter(([, value]) => value !== '');
  const response = await request(`${receiver!.url}/api/v2/logs`, { method: 'POST', headers: Object.fromEntries(all), body });
  return { status: response.statusCode, body: (await response.body.json()) as unknown };
}

describe('SiemReceiver (Datadog logs intake)', () => {
  it('answers 202 {} and stores each entry without its reserved attributes', async () => {
    receiver = await startSiemReceiver({ datadog: { apiKey: API_KEY } });
    const entries = [
      { ddsource: 'mpas', service: 's', timestamp: 't', eventType: 'user-event', event: { a: 1 } },
      { ddsource: 'mpas', service: 's', hostname: 'h', timestamp: '2025-02-12T19:27:48.633Z', message: 'CEF:0|V|P|1|S|N|3|' },
    ];
    expect(await post(JSON.stringify(entries))).toEqual({ status: 202, body: {} });
    expect(receiver.received().map(({ format, text, json, meta }) => ({ format, text, json, meta }))).toEqual([
      { format: 'json', text: '{"timestamp":"t","eventType":"user-event","event":{"a":1}}', json: { timestamp: 't', eventType: 'user-event', event: { a: 1 } }, meta: { ddsource: 'mpas', service: 's' } },
      { format: 'cef', text: 'CEF:0|V|P|1|S|N|3|', json: undefined, meta: { ddsource: 'mpas', service: 's', hostname: 'h', timestamp: '2025-02-12T19:27:48.633Z' } },
    ]);
  });

  it('accepts a single object as one entry', async () => {
    receiver = await startSiemReceiver({ datadog: { apiKey: API_KEY } });
    expect((await post('{"message":"hello"}')).status).toBe(202);
    expect(receiver.received()).toHaveLength(1);
  });

  it.each([
    ['no key', '[{}]', { 'dd-api-key': '' }, 401],
    ['a wrong key', '[{}]', { 'dd-api-key': 'other' }, 403],
    ['another content type', '[{}]', { 'content-type': 'text/csv' }, 400],
    ['invalid JSON', '[{', {}, 400],
    ['an entry that is not an object', '[{}, 3]', {}, 400],
    ['an empty array', '[]', {}, 400],
    ['more than 1,000 entries', JSON.stringify(Array(1_001).fill({ m: 1 })), {}, 400],
  ])('refuses %s, storing nothing', async (_name, body, headers, status) => {
    receiver = await startSiemReceiver({ datadog: { apiKey: API_KEY } });
    const answer = await post(body, headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ errors: [{ status: String(status) }] });
    expect(receiver.received()).toEqual([]);
  });
});
