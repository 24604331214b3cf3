import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MpasUnavailableError } from '../../../lib/sources/mpas/errors.js';
import { undiciFetch } from '../../../lib/net/http-fetch.js';
import { HttpTransport } from '../../../lib/sources/mpas/http-transport.js';
import { RetryPolicy } from '../../../lib/sources/mpas/retry-policy.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { recordingSleep, seededRandom } from '../../support/scripted-fetch.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => handler(request, body, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const GET = { method: 'GET', headers: { authorization: 'Bearer tkn' }, redirect: 'manual' as const };

describe('undiciFetch', () => {
  it('sends the method, headers and body, and answers with the status, headers and text', async () => {
    const seen: Array<{ method?: string; authorization?: string; type?: string; body: string }> = [];
    const url = await serve((request, body, response) => {
      seen.push({ method: request.method, authorization: request.headers.authorization, type: request.headers['content-type'], body });
      response.setHeader('Retry-After', '7');
      response.setHeader('X-Twice', ['a', 'b']);
      response.writeHead(429, { 'content-type': 'application/json' }).end('{"é":"ü"}');
    });
    const response = await undiciFetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
      signal: new AbortController().signal,
      redirect: 'manual',
    });
    expect(seen).toEqual([{ method: 'POST', authorization: undefined, type: 'application/x-www-form-urlencoded', body: 'grant_type=password' }]);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('RETRY-AFTER'), 'names are case-insensitive').toBe('7');
    expect(response.headers.get('x-twice')).toBe('a, b');
    expect(response.headers.get('x-absent')).toBeNull();
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body ?? []) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"é":"ü"}');
  });

  it('does not follow a redirect: the 3xx itself is the answer', async () => {
    const url = await serve((_request, _body, response) => response.writeHead(302, { location: 'https://elsewhere.example/' }).end());
    const response = await undiciFetch(`${url}/admin/realms/acme/events`, { ...GET, signal: new AbortController().signal });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://elsewhere.example/');
  });

  it("rejects with the caller's abort reason, as fetch does", async () => {
    const url = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const reason = new Error('the poll was stopped');
    const pending = undiciFetch(`${url}/admin/realms/acme/events`, { ...GET, signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('lets the transport name a refused connection by its code', async () => {
    const url = await serve(() => undefined);
    const port = new URL(url).port;
    for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
    const { sleep } = recordingSleep();
    const transport = new HttpTransport({
      fetch: undiciFetch,
      clock: new ManualClock(0),
      sleep,
      policy: new RetryPolicy({ attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, seededRandom(7)),
      requestTimeoutMs: 5_000,
    });
    const failure = transport.send({ route: 'events', method: 'GET', url: `http://127.0.0.1:${port}/admin/realms/acme/events`, headers: {} });
    await expect(failure).rejects.toBeInstanceOf(MpasUnavailableError);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
  });
});
