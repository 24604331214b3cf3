import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemReceiver, SiemReceiverOptions } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

let receiver: SiemReceiver | undefined;

async function start(options: SiemReceiverOptions = {}): Promise<SiemReceiver> {
  receiver = await startSiemReceiver(options);
  return receiver;
}

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal });
}

describe('SiemReceiver', () => {
  it('listens on 127.0.0.1 on a free port', async () => {
    const siem = await start();
    expect(siem.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(siem.port).toBeGreaterThan(0);
  });

  it('records a single JSON document with its path, text, parsed value and the clock time', async () => {
    const siem = await start({ clock: new ManualClock(1_700_000_000_000) });
    const response = await post(`${siem.url}/collector/events?x=1`, '{"a":1}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1 });
    expect(siem.received()).toEqual([{ path: '/collector/events', format: 'json', text: '{"a":1}', json: { a: 1 }, receivedAt: 1_700_000_000_000 }]);
  });

  it('records each element of a JSON array, documents and CEF strings alike', async () => {
    const siem = await start();
    await post(siem.url, JSON.stringify([{ a: 1 }, 'CEF:0|V|P|1|id|name|3|rt=1', { b: [2] }]));
    expect(siem.received().map(({ format, text }) => ({ format, text }))).toEqual([
      { format: 'json', text: '{"a":1}' },
      { format: 'cef', text: 'CEF:0|V|P|1|id|name|3|rt=1' },
      { format: 'json', text: '{"b":[2]}' },
    ]);
  });

  it('records NDJSON lines, with or without the NDJSON content type', async () => {
    const siem = await start();
    await post(siem.url, '{"n":1}\n{"n":2}\n', { 'content-type': 'application/x-ndjson' });
    await post(siem.url, '{"n":3}\r\n{"n":4}', { 'content-type': 'application/json' });
    expect(siem.received().map((item) => item.json)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it('records CEF text lines', async () => {
    const siem = await start();
    const response = await post(siem.url, 'CEF:0|V|P|1|a|A|3|rt=1\nCEF:0|V|P|1|b|B|6|msg=x\\=y\n', { 'content-type': 'text/plain' });
    expect(response.status).toBe(200);
    expect(siem.received().map((item) => [item.format, item.text])).toEqual([
      ['cef', 'CEF:0|V|P|1|a|A|3|rt=1'],
      ['cef', 'CEF:0|V|P|1|b|B|6|msg=x\\=y'],
    ]);
  });

  it('inflates gzip bodies', async () => {
    const siem = await start();
    const response = await post(siem.url, gzipSync('[{"z":true}]'), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(siem.received()[0]?.json).toEqual({ z: true });
    expect(siem.requests()[0]).toMatchObject({ contentEncoding: 'gzip', items: 1, status: 200 });
  });

  it.each([
    ['not JSON', 'hello', 400],
    ['broken JSON', '{"a":', 400],
    ['an empty array', '[]', 400],
    ['an empty body', '  ', 400],
    ['a line that is not CEF after a CEF line', 'CEF:0|a\nnope', 400],
  ])('answers 400 to %s and records nothing', async (_name, body, status) => {
    const siem = await start();
    expect((await post(siem.url, body)).status).toBe(status);
    expect(siem.received()).toEqual([]);
    expect(siem.stats().byStatus[status]).toBe(1);
  });

  it('answers 400 to a body that claims gzip but is not', async () => {
    const siem = await start();
    expect((await post(siem.url, '{"a":1}', { 'content-encoding': 'gzip' })).status).toBe(400);
  });

  it('answers 413 above maxBodyBytes, raw or inflated', async () => {
    const siem = await start({ maxBodyBytes: 64 });
    expect((await post(siem.url, JSON.stringify({ pad: 'x'.repeat(100) }))).status).toBe(413);
    expect((await post(siem.url, gzipSync(JSON.stringify({ pad: 'y'.repeat(1000) })), { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(siem.url, '{"small":1}')).status).toBe(200);
    expect(siem.received()).toHaveLength(1);
  });

  describe('auth', () => {
    it('accepts the expected bearer token and answers 401 to a wrong or missing one', async () => {
      const siem = await start({ auth: { bearerToken: 'tok-123' } });
      expect((await post(siem.url, '{}', { authorization: 'Bearer tok-123' })).status).toBe(200);
      expect((await post(siem.url, '{}', { authorization: 'Bearer tok-124' })).status).toBe(401);
      expect((await post(siem.url, '{}')).status).toBe(401);
      expect(siem.received()).toHaveLength(1);
    });

    it('checks a custom header case-insensitively by name', async () => {
      const siem = await start({ auth: { header: { name: 'X-Api-Key', value: 'k-1' } } });
      expect((await post(siem.url, '{}', { 'x-api-key': 'k-1' })).status).toBe(200);
      expect((await post(siem.url, '{}', { 'x-api-key': 'k-2' })).status).toBe(401);
    });

    it('checks basic credentials', async () => {
      const siem = await start({ auth: { basic: { username: 'u', password: 'p:w' } } });
      const good = 'Basic ' + Buffer.from('u:p:w').toString('base64');
      const bad = 'Basic ' + Buffer.from('u:p').toString('base64');
      expect((await post(siem.url, '{}', { authorization: good })).status).toBe(200);
      expect((await post(siem.url, '{}', { authorization: bad })).status).toBe(401);
    });
  });

  describe('fault switches', () => {
    it('fails the next requests with the status, Retry-After and body given, then recovers', async () => {
      const siem = await start();
      siem.failNext({ count: 2, status: 429, retryAfterSeconds: 7, body: 'slow down' });
      const first = await post(siem.url, '{"i":1}');
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('7');
      expect(await first.text()).toBe('slow down');
      expect((await post(siem.url, '{"i":2}')).status).toBe(429);
      expect((await post(siem.url, '{"i":3}')).status).toBe(200);
      expect(siem.received().map((item) => item.json)).toEqual([{ i: 3 }]);
      expect(siem.stats()).toEqual({ requests: 3, byStatus: { 429: 2, 200: 1 }, hung: 0, itemsAccepted: 1, maxConcurrent: 1 });
    });

    it('applies queued failures in order', async () => {
      const siem = await start();
      siem.failNext({ count: 1, status: 503 });
      siem.failNext({ count: 1, status: 500 });
      expect((await post(siem.url, '{}')).status).toBe(503);
      expect((await post(siem.url, '{}')).status).toBe(500);
      expect((await post(siem.url, '{}')).status).toBe(200);
    });

    it('refuses a whole request when rejectWhen names a status for one of its items', async () => {
      const siem = await start();
      siem.rejectWhen((item) => ((item.json as { bad?: boolean }).bad ? 400 : undefined));
      expect((await post(siem.url, '[{"ok":1},{"bad":true}]')).status).toBe(400);
      expect((await post(siem.url, '[{"ok":2}]')).status).toBe(200);
      siem.rejectWhen(undefined);
      expect((await post(siem.url, '{"bad":true}')).status).toBe(200);
      expect(siem.received().map((item) => item.json)).toEqual([{ ok: 2 }, { bad: true }]);
    });

    it('holds answers back by the latency set', async () => {
      const siem = await start();
      siem.setLatency(60_000);
      const controller = new AbortController();
      const pending = post(siem.url, '{}', {}, controller.signal).catch(() => 'aborted');
      await expect.poll(() => siem.stats().requests, { timeout: 10_000 }).toBe(1);
      // Read, and far from answered: a minute of latency remains.
      expect(siem.stats().byStatus).toEqual({});
      controller.abort();
      expect(await pending).toBe('aborted');
      siem.setLatency(5);
      expect((await post(siem.url, '{}')).status).toBe(200);
    });

    it('hangs the next requests without answering, and close() releases them', async () => {
      const siem = await start();
      siem.hangNext(1);
      const hung = post(siem.url, '{"h":1}').then(
        () => 'answered',
        () => 'connection closed',
      );
      await expect.poll(() => siem.stats().hung, { timeout: 10_000 }).toBe(1);
      expect((await post(siem.url, '{"h":2}')).status).toBe(200);
      expect(siem.requests().map((request) => request.status)).toEqual(['hung', 200]);
      await siem.close();
      receiver = undefined;
      expect(await hung).toBe('connection closed');
    });
  });

  it('counts the most requests open at once', async () => {
    const siem = await start();
    siem.hangNext(3);
    const pending = [1, 2, 3].map((i) => post(siem.url, `{"i":${i}}`).catch(() => 'closed'));
    await expect.poll(() => siem.stats().hung, { timeout: 10_000 }).toBe(3);
    expect(siem.stats().maxConcurrent).toBe(3);
    await siem.close();
    receiver = undefined;
    expect(await Promise.all(pending)).toEqual(['closed', 'closed', 'closed']);
  });

  describe('waitFor', () => {
    it('resolves at once when the condition already holds', async () => {
      const siem = await start();
      await post(siem.url, '{}');
      await expect(siem.waitFor((items) => items.length === 1)).resolves.toHaveLength(1);
    });

    it('resolves when the items that satisfy it arrive', async () => {
      const siem = await start();
      const waiting = siem.waitFor((items) => items.length >= 3, { timeoutMs: 10_000 });
      await post(siem.url, '[{"i":1},{"i":2}]');
      await post(siem.url, '{"i":3}');
      expect((await waiting).map((item) => item.json)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    });

    it('rejects on timeout saying how many items arrived', async () => {
      const siem = await start();
      await post(siem.url, '{}');
      await expect(siem.waitFor((items) => items.length > 5, { timeoutMs: 20 })).rejects.toThrow(/timed out after 20 ms: 1 item\(s\) arrived/);
    });

    it('rejects pending waits on close', async () => {
      const siem = await start();
      const waiting = siem.waitFor(() => false, { timeoutMs: 60_000 });
      await siem.close();
      receiver = undefined;
      await expect(waiting).rejects.toThrow(/receiver was closed/);
    });
  });

  it('tells onReceive listeners about every accepted item until they unsubscribe', async () => {
    const siem = await start();
    const seen: string[] = [];
    const unsubscribe = siem.onReceive((item) => seen.push(item.text));
    await post(siem.url, '[{"a":1},{"b":2}]');
    siem.failNext({ count: 1, status: 500 });
    await post(siem.url, '{"never":1}');
    unsubscribe();
    await post(siem.url, '{"c":3}');
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
  });
});
