import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** How many of the next requests of each endpoint answer an error that echoes the request. */
export interface EchoPlan {
  /** Token requests: 401 `{"error": "invalid_client", "error_description": <the request>}`. */
  token?: number;
  /**
   * Events requests (either stream): 503, alternately a JSON `errorMessage` and a plain-text page
   * naming the bearer token alone, then quoting the request.
   */
  events?: number;
}

/** A running echo MPAS. */
export interface EchoMpas {
  readonly url: string;
  /** Adds to the errors still to answer. */
  echoNext(plan: EchoPlan): void;
  /** Requests answered with an echo, by endpoint. */
  echoed(): { token: number; events: number };
  close(): Promise<void>;
}

const TOKEN_PATH = /^\/realms\/[^/]+\/protocol\/openid-connect\/token$/;
const EVENTS_PATH = /^\/admin\/realms\/[^/]+\/(events|admin-events)$/;

/**
 * An MPAS that echoes what it receives, for leak tests: a proxy in front of a real server (the
 * simulator) that answers planned requests with an error quoting the request whole (headers,
 * query, form body), as a debugging proxy or a misconfigured gateway does. Keycloak never
 * echoes, so this lives here and not in the simulator.
 *
 * Every access token it passes on is replaced by `accessToken` (and swapped back on the way in),
 * so the token the client holds is a value the test knows and can search for.
 */
export async function startEchoMpas(options: { upstream: string; accessToken: string }): Promise<EchoMpas> {
  const plan = { token: 0, events: 0 };
  const echoed = { token: 0, events: 0 };
  let upstreamToken: string | undefined;

  const answer = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? '/', 'http://echo.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const quoted = quoteRequest(incoming, url, body.toString('utf8'));
    // The token alone, as an authorization gateway names what it was shown: no scheme or name beside it.
    const presented = (incoming.headers.authorization ?? '').split(' ').pop() ?? '';
    if (TOKEN_PATH.test(url.pathname) && plan.token > 0) {
      plan.token -= 1;
      echoed.token += 1;
      outgoing.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', error_description: `Invalid client or Invalid client credentials; request: ${quoted}` }));
      return;
    }
    if (EVENTS_PATH.test(url.pathname) && plan.events > 0) {
      plan.events -= 1;
      echoed.events += 1;
      const asJson = echoed.events % 2 === 1;
      outgoing
        .writeHead(503, { 'content-type': asJson ? 'application/json' : 'text/plain' })
        .end(
          asJson
            ? JSON.stringify({ errorMessage: `upstream unavailable; credentials presented: ${presented}; request: ${quoted}` })
            : `503 upstream unavailable\ncredentials presented: ${presented}\n${quoted}\n`,
        );
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
    }
    const authorization = incoming.headers.authorization;
    if (authorization !== undefined && upstreamToken !== undefined) headers['authorization'] = authorization.split(options.accessToken).join(upstreamToken);
    const upstream = await request(`${options.upstream}${url.pathname}${url.search}`, {
      method: incoming.method as 'GET' | 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    let text = await upstream.body.text();
    if (TOKEN_PATH.test(url.pathname) && upstream.statusCode === 200) {
      const grant = JSON.parse(text) as Record<string, unknown>;
      upstreamToken = String(grant['access_token']);
      text = JSON.stringify({ ...grant, access_token: options.accessToken });
    }
    const contentType = upstream.headers['content-type'];
    const date = upstream.headers['date'];
    outgoing
      .writeHead(upstream.statusCode, {
        ...(typeof contentType === 'string' ? { 'content-type': contentType } : {}),
        // The client reads the server's clock from Date.
        ...(typeof date === 'string' ? { date } : {}),
      })
      .end(text);
  };

  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    echoNext: (next) => {
      plan.token += next.token ?? 0;
      plan.events += next.events ?? 0;
    },
    echoed: () => ({ ...echoed }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request as a debugging proxy prints it: request line, every header, the body. */
export function quoteRequest(incoming: IncomingMessage, url: URL, body: string): string {
  const headers = Object.entries(incoming.headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : (value ?? '')}`);
  return [`${incoming.method ?? 'GET'} ${url.pathname}${url.search}`, ...headers, '', body].join('\n');
}
