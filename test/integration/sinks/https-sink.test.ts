import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SiemReceiver, SiemReceiverOptions } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { BodyBufferPool } from '../../../lib/sinks/body-buffer-pool.js';
import { createHttpsSink } from '../../../lib/sinks/https/https-sink.js';
import type { HttpsSinkOptions } from '../../../lib/sinks/https/https-sink-options.js';
import type { OutboundEvent, Sink, SinkDelivery } from '../../../lib/sinks/sink.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { closedPort } from '../../support/closed-port.js';

const TOKEN = 'tok-Zq81-very-secret';
const HEADER_VALUE = 'hv-Pk22-very-secret';
const PASSWORD = 'pw-Lm93-very-secret';

let receiver: SiemReceiver | undefined;
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(options: SiemReceiverOptions = {}): Promise<SiemReceiver> {
  receiver = await startSiemReceiver(options);
  return receiver;
}

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep(): Sleep & { calls: number[] } {
  const calls: number[] = [];
  return Object.assign(async (ms: number) => void calls.push(ms), { calls });
}

function sinkFor(url: string, overrides: Partial<HttpsSinkOptions> = {}): { sink: Sink; sleep: ReturnType<typeof recordingSleep> } {
  const sleep = recordingSleep();
  const sink = createHttpsSink({
    url,
    batch: 'single',
    format: 'json',
    auth: { kind: 'none' },
    timeoutMs: 5_000,
    concurrency: 2,
    maxBatchEvents: 100,
    maxBatchBytes: 1_000_000,
    attempts: 3,
    gzip: false,
    sleep,
    random: () => 0.5,
    clock: new ManualClock(1_739_388_468_633),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

function jsonEvents(count: number, pad = 0): OutboundEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i}`,
    time: 1_739_388_468_633 + i,
    realm: 'acme',
    stream: 'user' as const,
    payload: JSON.stringify({ i, pad: 'x'.repeat(pad) }),
  }));
}

function cefEvents(count: number): OutboundEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `c${i}`,
    time: 1_739_388_468_633 + i,
    realm: 'acme',
    stream: 'admin' as const,
    payload: `CEF:0|Kelvin Zero|MPAS|1.0|admin_user_delete|Admin deleted a user|6|rt=${i} msg=a\\=b|c`,
  }));
}

function indexesReceived(siem: SiemReceiver): number[] {
  return siem.received().map((item) => (item.json as { i: number }).i);
}

function expectClean(delivery: SinkDelivery): void {
  expect(delivery).toMatchObject({ retry: [], dropped: [] });
}

function expectNoSecrets(delivery: SinkDelivery): void {
  const text = JSON.stringify(delivery);
  for (const secret of [TOKEN, HEADER_VALUE, PASSWORD, Buffer.from(`siem-user:${PASSWORD}`).toString('base64')]) {
    expect(text).not.toContain(secret);
  }
}

describe('HttpsSink', () => {
  describe('framing', () => {
    it('single/json: one POST per event, the payload as the body, application/json', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(`${siem.url}/ingest`);
      const events = jsonEvents(3);
      const delivery = await sink.deliver(events);
      expectClean(delivery);
      expect(delivery.latenciesMs).toHaveLength(3);
      expect(siem.received().map((item) => item.text).sort()).toEqual(events.map((event) => event.payload).sort());
      expect(siem.requests().map((request) => [request.path, request.contentType, request.items])).toEqual([
        ['/ingest', 'application/json', 1],
        ['/ingest', 'application/json', 1],
        ['/ingest', 'application/json', 1],
      ]);
    });

    it('single/cef: one CEF line per POST as text/plain', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { format: 'cef' });
      expectClean(await sink.deliver(cefEvents(2)));
      expect(siem.received().map((item) => item.format)).toEqual(['cef', 'cef']);
      expect(siem.received().map((item) => item.text).sort()).toEqual(cefEvents(2).map((event) => event.payload).sort());
      expect(siem.requests()[0]?.contentType).toBe('text/plain; charset=utf-8');
    });

    it('array/json: JSON arrays of the documents, split by maxBatchEvents, in order', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { batch: 'array', maxBatchEvents: 2, concurrency: 1 });
      expectClean(await sink.deliver(jsonEvents(5)));
      expect(indexesReceived(siem)).toEqual([0, 1, 2, 3, 4]);
      expect(siem.requests().map((request) => request.items)).toEqual([2, 2, 1]);
      expect(siem.requests().every((request) => request.contentType === 'application/json')).toBe(true);
    });

    it('array/cef: a JSON array of CEF strings', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { batch: 'array', format: 'cef' });
      expectClean(await sink.deliver(cefEvents(3)));
      expect(siem.requests()).toHaveLength(1);
      expect(siem.received().map((item) => item.text)).toEqual(cefEvents(3).map((event) => event.payload));
    });

    it('ndjson/json: payloads joined by newlines as application/x-ndjson', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', maxBatchEvents: 3, concurrency: 1 });
      expectClean(await sink.deliver(jsonEvents(4)));
      expect(indexesReceived(siem)).toEqual([0, 1, 2, 3]);
      expect(siem.requests().map((request) => [request.contentType, request.items])).toEqual([
        ['application/x-ndjson', 3],
        ['application/x-ndjson', 1],
      ]);
    });

    it('ndjson/cef: CEF lines joined by newlines', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', format: 'cef' });
      expectClean(await sink.deliver(cefEvents(3)));
      expect(siem.requests()).toHaveLength(1);
      expect(siem.received().map((item) => item.text)).toEqual(cefEvents(3).map((event) => event.payload));
    });

    it('splits requests by maxBatchBytes, never over the limit', async () => {
      const siem = await startReceiver();
      const events = jsonEvents(10, 90); // about 106 bytes each
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', maxBatchBytes: 350, concurrency: 1 });
      expectClean(await sink.deliver(events));
      expect(indexesReceived(siem)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(siem.requests().map((request) => request.items)).toEqual([3, 3, 3, 1]);
      expect(Math.max(...siem.requests().map((request) => request.bytes))).toBeLessThanOrEqual(350);
    });

    it('gzips bodies with Content-Encoding: gzip', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url, { batch: 'array', gzip: true });
      const events = jsonEvents(20, 200);
      expectClean(await sink.deliver(events));
      expect(indexesReceived(siem)).toHaveLength(20);
      const [request] = siem.requests();
      expect(request?.contentEncoding).toBe('gzip');
      expect(request?.bytes).toBeLessThan(events.reduce((sum, event) => sum + event.payload.length, 0) / 4);
    });

    it('keeps at most `concurrency` requests open at once', async () => {
      const siem = await startReceiver();
      siem.setLatency(20);
      const { sink } = sinkFor(siem.url, { concurrency: 2 });
      expectClean(await sink.deliver(jsonEvents(8)));
      expect(siem.stats().maxConcurrent).toBeLessThanOrEqual(2);
      expect(siem.received()).toHaveLength(8);
    });
  });

  describe('auth', () => {
    it.each([
      ['bearer', { kind: 'bearer', token: TOKEN }, { bearerToken: TOKEN }],
      ['header', { kind: 'header', name: 'X-Api-Key', value: HEADER_VALUE }, { header: { name: 'x-api-key', value: HEADER_VALUE } }],
      ['basic', { kind: 'basic', username: 'siem-user', password: PASSWORD }, { basic: { username: 'siem-user', password: PASSWORD } }],
    ] as const)('sends %s credentials the collector accepts', async (_kind, auth, expected) => {
      const siem = await startReceiver({ auth: expected });
      const { sink } = sinkFor(siem.url, { auth });
      expectClean(await sink.deliver(jsonEvents(2)));
      expect(siem.received()).toHaveLength(2);
    });

    it.each([
      ['bearer', { kind: 'bearer', token: TOKEN }],
      ['header', { kind: 'header', name: 'X-Api-Key', value: HEADER_VALUE }],
      ['basic', { kind: 'basic', username: 'siem-user', password: PASSWORD }],
    ] as const)('reports 401 as retry with the auth flag, at once, without the %s secret', async (_kind, auth) => {
      const siem = await startReceiver({ auth: { bearerToken: 'something-else' } });
      const { sink, sleep } = sinkFor(siem.url, { auth });
      const delivery = await sink.deliver(jsonEvents(2));
      expect(delivery.retry).toEqual([0, 1]);
      expect(delivery.errors).toHaveLength(2);
      expect(delivery.errors.every((error) => error.auth && error.status === 401)).toBe(true);
      expect(sleep.calls).toEqual([]);
      expectNoSecrets(delivery);
    });

    it('flags 403 as an auth error too', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status: 403 });
      const { sink } = sinkFor(siem.url);
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.retry).toEqual([0]);
      expect(delivery.errors).toEqual([{ status: 403, reason: expect.stringContaining('HTTP 403'), auth: true }]);
    });

    it.each([
      ['bearer', { kind: 'bearer', token: TOKEN }, `bad request: token ${TOKEN} is not allowed here`],
      ['header', { kind: 'header', name: 'X-Api-Key', value: HEADER_VALUE }, `unknown key "${HEADER_VALUE}"`],
      [
        'basic',
        { kind: 'basic', username: 'siem-user', password: PASSWORD },
        `password ${PASSWORD} / Authorization: Basic ${Buffer.from(`siem-user:${PASSWORD}`).toString('base64')}`,
      ],
    ] as const)('hides the %s secret when a collector echoes it back in its error body', async (_kind, auth, body) => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status: 400, body });
      const { sink } = sinkFor(siem.url, { auth });
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.dropped[0]?.reason).toContain('***');
      expectNoSecrets(delivery);
    });
  });

  describe('retries', () => {
    it('honours Retry-After seconds on 429, then succeeds', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status: 429, retryAfterSeconds: 2 });
      const { sink, sleep } = sinkFor(siem.url);
      const delivery = await sink.deliver(jsonEvents(1));
      expectClean(delivery);
      expect(sleep.calls).toEqual([2_000]);
      expect(delivery.errors).toEqual([{ status: 429, reason: expect.stringContaining('HTTP 429'), auth: false }]);
      expect(indexesReceived(siem)).toEqual([0]);
    });

    it('backs off with full jitter on 503, then succeeds', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 2, status: 503 });
      const { sink, sleep } = sinkFor(siem.url, { attempts: 3, backoffBaseMs: 200 });
      expectClean(await sink.deliver(jsonEvents(1)));
      // random() = 0.5: half of 200, then half of 400.
      expect(sleep.calls).toEqual([100, 200]);
    });

    it.each([408, 500, 502, 504])('retries %s', async (status) => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status });
      const { sink } = sinkFor(siem.url);
      expectClean(await sink.deliver(jsonEvents(1)));
      expect(siem.received()).toHaveLength(1);
    });

    it('reports the events to retry when the attempts are spent', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 10, status: 503 });
      const { sink, sleep } = sinkFor(siem.url, { batch: 'array', attempts: 3 });
      const delivery = await sink.deliver(jsonEvents(4));
      expect(delivery.retry).toEqual([0, 1, 2, 3]);
      expect(delivery.dropped).toEqual([]);
      expect(delivery.errors).toHaveLength(3);
      expect(sleep.calls).toHaveLength(2);
      expect(siem.stats().requests).toBe(3);
    });

    it('reports the Retry-After of the last attempt when the attempts are spent', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 2, status: 429, retryAfterSeconds: 1 });
      const { sink, sleep } = sinkFor(siem.url, { attempts: 2 });
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.retry).toEqual([0]);
      expect(delivery.retryAfterMs).toBe(1_000);
      expect(sleep.calls).toEqual([1_000]);
    });

    it('stops at a Retry-After longer than 5 s and reports it instead of waiting', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status: 429, retryAfterSeconds: 30 });
      const { sink, sleep } = sinkFor(siem.url, { concurrency: 1 });
      const delivery = await sink.deliver(jsonEvents(3));
      expect(delivery.retry).toEqual([0, 1, 2]);
      expect(delivery.retryAfterMs).toBe(30_000);
      expect(sleep.calls).toEqual([]);
      // The SIEM asked for a pause: the other events were not even sent.
      expect(siem.stats().requests).toBe(1);
    });

    it('retries a request that times out (hangNext), then succeeds', async () => {
      const siem = await startReceiver();
      siem.hangNext(1);
      // The retry must be answered within the same timeout: at 300 ms, a stall of the loaded
      // machine made the answered retry time out as well.
      const { sink } = sinkFor(siem.url, { timeoutMs: 2_000, attempts: 2 });
      const delivery = await sink.deliver(jsonEvents(1));
      expectClean(delivery);
      expect(delivery.errors).toEqual([{ reason: expect.stringMatching(/^timeout/), auth: false }]);
      expect(siem.stats().hung).toBe(1);
      expect(indexesReceived(siem)).toEqual([0]);
    });

    it('reports a timed-out request for retry when it was the last attempt', async () => {
      const siem = await startReceiver();
      siem.hangNext(1);
      const { sink } = sinkFor(siem.url, { timeoutMs: 200, attempts: 1 });
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.retry).toEqual([0]);
      expect(delivery.errors[0]?.reason).toMatch(/^timeout/);
    });

    it('retries connection errors and reports them for retry', async () => {
      const port = await closedPort();
      const { sink, sleep } = sinkFor(`http://127.0.0.1:${port}/`, { attempts: 2, auth: { kind: 'bearer', token: TOKEN } });
      const delivery = await sink.deliver(jsonEvents(2));
      expect(delivery.retry).toEqual([0, 1]);
      expect(delivery.errors).toHaveLength(4);
      expect(delivery.errors[0]?.reason).toMatch(/connection error.*ECONNREFUSED/);
      expect(sleep.calls).toHaveLength(2);
      expectNoSecrets(delivery);
    });

    it('sends nothing and reports everything for retry when the caller has aborted', async () => {
      const siem = await startReceiver();
      const { sink } = sinkFor(siem.url);
      const delivery = await sink.deliver(jsonEvents(3), AbortSignal.abort());
      expect(delivery.retry).toEqual([0, 1, 2]);
      expect(siem.stats().requests).toBe(0);
    });
  });

  describe('drops', () => {
    it('drops only the event the SIEM refuses with 400 in single mode, with the reason', async () => {
      const siem = await startReceiver();
      siem.rejectWhen((item) => ((item.json as { i: number }).i === 2 ? 400 : undefined));
      const { sink, sleep } = sinkFor(siem.url);
      const delivery = await sink.deliver(jsonEvents(5));
      expect(delivery.retry).toEqual([]);
      expect(delivery.dropped).toEqual([{ index: 2, status: 400, reason: 'HTTP 400: {"error":"item 0 rejected"}' }]);
      expect(indexesReceived(siem).sort()).toEqual([0, 1, 3, 4]);
      expect(sleep.calls).toEqual([]);
    });

    it('drops on other 4xx without retrying', async () => {
      const siem = await startReceiver();
      siem.failNext({ count: 1, status: 422, body: 'x'.repeat(1000) });
      const { sink } = sinkFor(siem.url);
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.dropped).toHaveLength(1);
      expect(delivery.dropped[0]?.status).toBe(422);
      // A short excerpt of the body, not all of it.
      expect(delivery.dropped[0]?.reason.length).toBeLessThan(250);
      expect(siem.stats().requests).toBe(1);
    });

    it('splits a request refused with 413 into halves until they fit', async () => {
      const events = jsonEvents(8, 100); // about 116 bytes each
      const siem = await startReceiver({ maxBodyBytes: 300 });
      const { sink } = sinkFor(siem.url, { batch: 'array', concurrency: 1 });
      const delivery = await sink.deliver(events);
      expectClean(delivery);
      expect(indexesReceived(siem)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // Concurrency 1 and a first-come semaphore: 0-7, then the halves 0-3 and 4-7, then quarters.
      expect(siem.requests().map((request) => request.status)).toEqual([413, 413, 413, 200, 200, 200, 200]);
      expect(delivery.errors.every((error) => error.status === 413)).toBe(true);
    });

    it('drops a single event that is too large even alone, and delivers the rest', async () => {
      const events = [...jsonEvents(2), { ...jsonEvents(1, 500)[0]!, key: 'big' }];
      const siem = await startReceiver({ maxBodyBytes: 300 });
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', concurrency: 1 });
      const delivery = await sink.deliver(events);
      expect(delivery.retry).toEqual([]);
      expect(delivery.dropped).toEqual([{ index: 2, status: 413, reason: expect.stringContaining('too large') }]);
      expect(siem.received()).toHaveLength(2);
    });
  });

  describe('body buffers', () => {
    /** A pool that records the memory behind every buffer it hands out. */
    class RecordingPool extends BodyBufferPool {
      readonly handedOut: ArrayBufferLike[] = [];
      override take(size: number): Buffer {
        const buffer = super.take(size);
        this.handedOut.push(buffer.buffer);
        return buffer;
      }
    }

    it('writes each body into a pooled buffer, taken back after a 2xx: shorter bodies in reused memory carry nothing of longer ones', async () => {
      const siem = await startReceiver();
      const pool = new RecordingPool(1, 1_000_004);
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', maxBatchEvents: 2, concurrency: 1, bodyBuffers: pool });
      // Longest first: each later body is written over the bytes of a longer one.
      const events = [...jsonEvents(2, 400), ...jsonEvents(2, 40), ...jsonEvents(1)].map((event, index) => ({ ...event, payload: JSON.stringify({ i: index, pad: JSON.parse(event.payload).pad }) }));
      expectClean(await sink.deliver(events));
      expect(siem.received().map((item) => item.text)).toEqual(events.map((event) => event.payload));
      expect(siem.requests().map((request) => request.items)).toEqual([2, 2, 1]);
      expect(pool.handedOut).toHaveLength(3);
      expect(new Set(pool.handedOut).size).toBe(1);
      expect(pool.idleCount).toBe(1);
    });

    it('keeps a body out of the pool after an error answer or a timeout, when the socket may still be writing it', async () => {
      const siem = await startReceiver();
      const pool = new RecordingPool(1, 1_000_004);
      siem.failNext({ count: 1, status: 503 });
      const { sink } = sinkFor(siem.url, { batch: 'ndjson', attempts: 2, bodyBuffers: pool });
      expectClean(await sink.deliver(jsonEvents(3)));
      expect(new Set(pool.handedOut).size).toBe(2);

      siem.hangNext(1);
      const timedOut = await sinkFor(siem.url, { batch: 'ndjson', attempts: 1, timeoutMs: 200, bodyBuffers: pool }).sink.deliver(jsonEvents(3));
      expect(timedOut.retry).toEqual([0, 1, 2]);
      expect(pool.handedOut).toHaveLength(3);
      // The one idle buffer was taken for the request that timed out and is not back.
      expect(pool.handedOut[2]).toBe(pool.handedOut[1]);
      expect(pool.idleCount).toBe(0);
    });

    it('takes a body back once it is compressed, whatever the answer', async () => {
      const siem = await startReceiver();
      const pool = new RecordingPool(1, 1_000_004);
      siem.failNext({ count: 1, status: 503 });
      const { sink } = sinkFor(siem.url, { batch: 'array', gzip: true, attempts: 2, bodyBuffers: pool });
      expectClean(await sink.deliver(jsonEvents(5, 100)));
      expect(indexesReceived(siem)).toEqual([0, 1, 2, 3, 4]);
      expect(pool.handedOut).toHaveLength(2);
      expect(new Set(pool.handedOut).size).toBe(1);
    });
  });

  describe('TLS', () => {
    let dir: string;
    let tls: { key: string; cert: string };
    let caFile: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'https-sink-tls-'));
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=mpas-log-sync test SIEM', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      caFile = join(dir, 'cert.pem');
      tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(caFile, 'utf8') };
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('trusts a private CA given as caFile', async () => {
      const siem = await startReceiver({ tls });
      expect(siem.url).toMatch(/^https:/);
      const { sink } = sinkFor(siem.url, { caFile });
      expectClean(await sink.deliver(jsonEvents(2)));
      expect(siem.received()).toHaveLength(2);
    });

    it('refuses a certificate it cannot verify, reporting the events for retry', async () => {
      const siem = await startReceiver({ tls });
      const { sink } = sinkFor(siem.url, { attempts: 1 });
      const delivery = await sink.deliver(jsonEvents(1));
      expect(delivery.retry).toEqual([0]);
      expect(delivery.errors[0]?.reason).toMatch(/connection error.*(SELF_SIGNED|CERT|certificate)/i);
      expect(siem.received()).toEqual([]);
    });
  });
});
