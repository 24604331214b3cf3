import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from '../../../lib/net/undici-core.js';

// lib/net/undici-core.ts loads undici's files by path; these hold it to the package's index, so an
// undici release that moves or changes them fails here rather than in a Lambda.
describe('undici-core', () => {
  const server = createServer((incoming, answer) => {
    let body = '';
    incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
    incoming.on('end', () => {
      answer.setHeader('x-echo-method', incoming.method ?? '');
      answer.setHeader('set-cookie', ['a=1', 'b=2']);
      answer.end(JSON.stringify({ url: incoming.url, body, auth: incoming.headers['authorization'] ?? null }));
    });
  });
  let origin = '';
  beforeAll(async () => {
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((closed) => server.close(closed));
  });

  it('is the package index Agent class', () => {
    expect(Agent).toBe(undici.Agent);
  });

  it('sends what the index request sends and answers the same, through an Agent or the global dispatcher', async () => {
    const agent = new Agent({ connections: 1 });
    try {
      for (const dispatcher of [agent, undefined]) {
        const url = `${origin}/admin/realms/r/events?first=0&max=2`;
        const init = { method: 'POST' as const, headers: { authorization: 'Bearer t' }, body: 'hello', signal: new AbortController().signal, dispatcher };
        const ours = await request(url, init);
        const theirs = await undici.request(url, init);
        const [oursBody, theirsBody] = [await ours.body.text(), await theirs.body.text()];
        expect(ours.statusCode).toBe(theirs.statusCode);
        expect(oursBody).toBe(theirsBody);
        expect(JSON.parse(oursBody)).toEqual({ url: '/admin/realms/r/events?first=0&max=2', body: 'hello', auth: 'Bearer t' });
        expect(ours.headers['x-echo-method']).toBe('POST');
        expect(ours.headers['set-cookie']).toEqual(theirs.headers['set-cookie']);
      }
    } finally {
      await agent.close();
    }
  });

  it('rejects with the signal reason when aborted, as the index request does', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(request(`${origin}/`, { method: 'GET', headers: {}, signal: controller.signal })).rejects.toThrow('stop now');
    await expect(undici.request(`${origin}/`, { method: 'GET', headers: {}, signal: controller.signal })).rejects.toThrow('stop now');
  });
});
