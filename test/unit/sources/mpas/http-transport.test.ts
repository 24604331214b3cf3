import { describe, expect, it } from 'vitest';
import { MpasUnavailableError } from '../../../../lib/sources/mpas/errors.js';
import { bodyText, HttpTransport } from '../../../../lib/sources/mpas/http-transport.js';
import type { HttpRequest, RequestInfo } from '../../../../lib/sources/mpas/http-transport.js';
import { RetryPolicy } from '../../../../lib/sources/mpas/retry-policy.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { hangUntilAborted, json, recordingSleep, scriptedFetch, seededRandom } from '../../../support/scripted-fetch.js';
import type { ScriptStep } from '../../../support/scripted-fetch.js';

const SEED = 424242;
const REQUEST: HttpRequest = { route: 'events', method: 'GET', url: 'http://mpas.test/admin/realms/acme/events', headers: { authorization: 'Bearer tkn' } };

function setup(step: ScriptStep, options: { attempts?: number; requestTimeoutMs?: number } = {}) {
  const clock = new ManualClock(Date.parse('2025-02-12T19:00:00.000Z'));
  const { fetch, calls } = scriptedFetch(step);
  const { sleep, delays } = recordingSleep();
  const infos: RequestInfo[] = [];
  const policy = new RetryPolicy({ attempts: options.attempts ?? 5, baseDelayMs: 500, maxDelayMs: 30_000 }, seededRandom(SEED));
  const transport = new HttpTransport({
    fetch,
    clock,
    sleep,
    policy,
    requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
    onRequest: (info) => infos.push(info),
  });
  return { transport, calls, delays, infos };
}

describe('HttpTransport', () => {
  it('returns the first non-transient response with its whole body', async () => {
    const { transport, calls, infos } = setup(() => json(200, [{ time: 1 }]));
    const result = await transport.send(REQUEST);
    expect(result.status).toBe(200);
    expect(JSON.parse(bodyText(result))).toEqual([{ time: 1 }]);
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer tkn');
    expect(infos).toEqual([{ route: 'events', status: 200, durationMs: 0 }]);
  });

  it('hands 4xx back without retrying', async () => {
    const { transport, calls, infos } = setup(() => json(403, { error: 'HTTP 403 Forbidden', access_token: 'echoed' }));
    await expect(transport.send(REQUEST)).resolves.toMatchObject({ status: 403 });
    expect(calls).toHaveLength(1);
    expect(infos[0]?.failure).toBe('HTTP 403: {"error":"HTTP 403 Forbidden","access_token":"***"}');
  });

  it('retries 5xx with jittered exponential backoff until one succeeds', async () => {
    const { transport, calls, delays, infos } = setup((_request, index) => (index < 3 ? json(500, {}) : json(200, [])));
    await expect(transport.send(REQUEST)).resolves.toMatchObject({ status: 200 });
    expect(calls).toHaveLength(4);
    expect(delays, `seed ${SEED}`).toHaveLength(3);
    delays.forEach((delay, retry) => {
      expect(delay, `seed ${SEED}, retry ${retry}`).toBeGreaterThanOrEqual(0);
      expect(delay, `seed ${SEED}, retry ${retry}`).toBeLessThanOrEqual(500 * 2 ** retry);
    });
    expect(infos.map((info) => info.status)).toEqual([500, 500, 500, 200]);
  });

  it('honours Retry-After on 429, in seconds or as an HTTP date', async () => {
    const dateIn7s = new Date(Date.parse('2025-02-12T19:00:07.000Z')).toUTCString();
    const answers = [json(429, {}, { 'retry-after': '3' }), json(429, {}, { 'retry-after': dateIn7s }), json(200, [])];
    const { transport, delays } = setup((_request, index) => answers[index] ?? json(500, {}));
    await transport.send(REQUEST);
    expect(delays).toEqual([3_000, 7_000]);
  });

  it('gives up after the attempts with the last status and Retry-After', async () => {
    const { transport, calls } = setup(() => json(429, {}, { 'retry-after': '4' }), { attempts: 3 });
    const error = await transport.send(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasUnavailableError);
    expect((error as MpasUnavailableError).detail).toEqual({ route: 'events', attempts: 3, lastStatus: 429, retryAfterMs: 4_000 });
    expect((error as Error).message).toBe('MPAS events endpoint unavailable after 3 attempts, last with status 429; the server asked to retry after 4000 ms');
    expect(calls).toHaveLength(3);
  });

  it('times out an attempt that hangs, retries it, and reports the timeout', async () => {
    const { transport, calls, infos } = setup((request) => hangUntilAborted(request.signal), { attempts: 2, requestTimeoutMs: 25 });
    const error = await transport.send(REQUEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasUnavailableError);
    expect((error as Error).message).toContain('last with a timeout (no complete response within 25 ms)');
    expect(calls).toHaveLength(2);
    expect(infos.map((info) => info.status)).toEqual([undefined, undefined]);
    expect(infos.map((info) => info.failure)).toEqual(Array(2).fill('a timeout (no complete response within 25 ms)'));
  });

  it('retries a connection failure and names its code', async () => {
    const refused = (): never => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    };
    const { transport, calls, infos } = setup(refused, { attempts: 2 });
    await expect(transport.send(REQUEST)).rejects.toThrow('last with a connection failure (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)');
    expect(calls).toHaveLength(2);
    expect(infos.map((info) => info.failure)).toEqual(Array(2).fill('a connection failure (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)'));
  });

  it('treats a body cut off mid-way as a failed attempt, never as a short page', async () => {
    const cutOff = (): Response => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('[{"time":1},'));
          controller.error(new Error('socket hang up'));
        },
      });
      return new Response(stream, { status: 200 });
    };
    const { transport, calls } = setup((_request, index) => (index === 0 ? cutOff() : json(200, [{ time: 1 }, { time: 2 }])));
    const result = await transport.send(REQUEST);
    expect(JSON.parse(bodyText(result))).toHaveLength(2);
    expect(calls).toHaveLength(2);
  });

  it("stops at once with the caller's reason when the caller aborts", async () => {
    const controller = new AbortController();
    const { transport, calls } = setup((request) => {
      controller.abort(new Error('invocation budget spent'));
      return hangUntilAborted(request.signal);
    });
    await expect(transport.send(REQUEST, controller.signal)).rejects.toThrow('invocation budget spent');
    expect(calls).toHaveLength(1);
  });
});
