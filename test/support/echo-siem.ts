import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { quoteRequest } from './echo-mpas.js';

/** One request as the echo SIEM got it, its body inflated. */
export interface EchoedRequest {
  readonly path: string;
  readonly body: string;
}

/** A running echo SIEM. */
export interface EchoSiem {
  readonly url: string;
  /** Every request so far, in arrival order. */
  requests(): EchoedRequest[];
  /** Starts the error script of every path over (see {@link startEchoSiem}). */
  rearm(): void;
  /** Answers that echoed a request, by status. */
  echoed(): Record<number, number>;
  close(): Promise<void>;
}

/** Where the cut of a read-back answer falls (lib/sinks read 4096 bytes of an error body). */
const ANSWER_CUT_BYTES = 4096;
/** How far into the credential the cut falls: its start survives the cut, its end does not. */
const CUT_INTO_CREDENTIAL = 24;

const ENTRA_TOKEN_PATH = /^\/[^/]+\/oauth2\/v2\.0\/token$/;

/**
 * A SIEM that echoes what it receives, for leak tests: a proxy in front of the local SIEM
 * receiver (every product endpoint on one port) whose first answers on each path are errors
 * quoting the request, then passes everything through:
 *
 * - 1st request: 503 whose body puts the bare credential (the value of the first of
 *   `authorization` (without its scheme) and `secretHeaders` sent, else the URL's last path
 *   segment, where Sumo Logic keeps its token) across the 4096-byte cut, 24 characters before
 *   it, with no name beside it that would give it away: only the value the sink sent finds it;
 * - 2nd: 503 with a JSON body quoting the request line, every header and the body;
 * - 3rd: 400 quoting the request again (the batch is refused for good);
 * - Entra ID's token endpoint (Sentinel): the 1st request gets 503 quoting the form body
 *   (a 401 would end the delivery at once; a 503 is tried again, so the run goes on).
 *
 * `rearm` starts the count again, so each command of a test meets the same errors.
 */
export async function startEchoSiem(options: { upstream: string; secretHeaders?: readonly string[] }): Promise<EchoSiem> {
  const seen = new Map<string, number>();
  const recorded: EchoedRequest[] = [];
  const echoed: Record<number, number> = {};
  const credentialHeaders = ['authorization', ...(options.secretHeaders ?? []).map((name) => name.toLowerCase())];

  const answer = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? '/', 'http://echo.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = incoming.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    recorded.push({ path: url.pathname, body });
    const count = (seen.get(url.pathname) ?? 0) + 1;
    seen.set(url.pathname, count);
    const quoted = quoteRequest(incoming, url, body.slice(0, 1024));
    const reply = (status: number, text: string): void => {
      echoed[status] = (echoed[status] ?? 0) + 1;
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    if (ENTRA_TOKEN_PATH.test(url.pathname)) {
      if (count === 1) return reply(503, JSON.stringify({ error: 'temporarily_unavailable', error_description: `AADSTS90033: A transient error has occurred. Request: ${quoted}` }));
    } else if (count === 1) {
      return reply(503, straddlingEcho(credentialOf(incoming, url, credentialHeaders)));
    } else if (count === 2) {
      return reply(503, JSON.stringify({ error: 'service unavailable', request: quoted }));
    } else if (count === 3) {
      return reply(400, JSON.stringify({ error: 'bad request', request: quoted }));
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
    }
    const upstream = await request(`${options.upstream}${url.pathname}${url.search}`, {
      method: incoming.method as 'GET' | 'POST',
      headers,
      ...(raw.length > 0 ? { body: raw } : {}),
    });
    const text = await upstream.body.text();
    const contentType = upstream.headers['content-type'];
    outgoing.writeHead(upstream.statusCode, typeof contentType === 'string' ? { 'content-type': contentType } : {}).end(text);
  };

  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => recorded.slice(),
    rearm: () => seen.clear(),
    echoed: () => ({ ...echoed }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function credentialOf(incoming: IncomingMessage, url: URL, headerNames: readonly string[]): string {
  for (const name of headerNames) {
    const value = incoming.headers[name];
    if (typeof value === 'string') return name === 'authorization' ? value.slice(value.indexOf(' ') + 1) : value;
  }
  return url.pathname.split('/').pop() ?? '';
}

/**
 * A JSON error whose byte ANSWER_CUT_BYTES falls CUT_INTO_CREDENTIAL bytes into the credential.
 * The padding is blanks, which a one-line excerpt squeezes to one: what is left of the
 * credential after the cut then stands near the start of the excerpt a log line shows.
 */
function straddlingEcho(credential: string): string {
  const head = '{"error":"overloaded","trace":"';
  const padding = ANSWER_CUT_BYTES - CUT_INTO_CREDENTIAL - Buffer.byteLength(head);
  return `${head}${' '.repeat(padding)}${credential}"}`;
}
