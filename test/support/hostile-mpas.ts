import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** How the hostile MPAS answers an events request (`/admin/realms/{realm}/events` or `/admin-events`). */
export interface HostileBehaviour {
  /** Changes the query before it goes to the real server: drop `first` or `max`, as a broken proxy might. */
  query?: (params: URLSearchParams) => void;
  /** The text sent in place of one event of every answer (the same event, the same text on every read); undefined keeps it. */
  rewrite?: (event: Record<string, unknown>) => string | undefined;
  /**
   * A body of its own instead of the real answer: `bytes` of a JSON array of events (a `content-length`
   * announced or not), or one that never ends.
   */
  body?: { kind: 'huge'; bytes: number; announce: boolean } | { kind: 'endless' };
}

/** What the hostile MPAS saw. */
export interface HostileStats {
  /** Events requests answered (the events config endpoint not counted). */
  eventsRequests: number;
  /** The query of each events request, as it arrived. */
  queries: URLSearchParams[];
  /** Bytes of generated bodies (huge or endless) written to the socket before the client went away. */
  generatedBytes: number;
}

/** A running hostile MPAS. */
export interface HostileMpas {
  /** `http://127.0.0.1:<port>`, or `https://` with `tls`. */
  readonly url: string;
  /** How to answer from now on: for the events endpoints of `realm`, or of every realm without one of its own. */
  behave(behaviour: HostileBehaviour, realm?: string): void;
  stats(): HostileStats;
  close(): Promise<void>;
}

const EVENTS_PATH = /^\/admin\/realms\/([^/]+)\/(events|admin-events)$/;

/**
 * An MPAS that misbehaves on purpose, for fault tests: a proxy in front of a real server (the
 * simulator), answering real HTTP (or HTTPS with `tls`, as a TLS-terminating proxy before
 * Keycloak does), that passes everything through except what `behave` tells it to break on the
 * events endpoints. Kept out of the simulator, which only plays what Keycloak really does.
 */
export async function startHostileMpas(options: { upstream: string; tls?: { key: string; cert: string } }): Promise<HostileMpas> {
  let fallback: HostileBehaviour = {};
  const byRealm = new Map<string, HostileBehaviour>();
  const stats: HostileStats = { eventsRequests: 0, queries: [], generatedBytes: 0 };
  const handler = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    void answer(incoming, outgoing).catch(() => outgoing.destroy());
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);

  async function answer(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://hostile.invalid');
    const events = EVENTS_PATH.exec(url.pathname);
    const isEvents = events !== null;
    const behaviour = (events && byRealm.get(decodeURIComponent(events[1]!))) ?? fallback;
    if (isEvents) {
      stats.eventsRequests += 1;
      stats.queries.push(new URLSearchParams(url.searchParams));
      behaviour.query?.(url.searchParams);
      const generated = behaviour.body;
      if (generated) return writeGenerated(outgoing, generated);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const upstream = await request(`${options.upstream}${url.pathname}${url.search}`, {
      method: incoming.method as 'GET' | 'POST',
      headers: { ...incoming.headers, host: new URL(options.upstream).host },
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.body.arrayBuffer());
    const rewrite = behaviour.rewrite;
    if (isEvents && rewrite && upstream.statusCode === 200) {
      const events = JSON.parse(body.toString('utf8')) as Array<Record<string, unknown>>;
      body = Buffer.from(`[${events.map((event) => rewrite(event) ?? JSON.stringify(event)).join(',')}]`, 'utf8');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive') headers[name] = value;
    }
    outgoing.writeHead(upstream.statusCode, { ...headers, 'content-length': String(body.byteLength) }).end(body);
  }

  /** Writes a generated body as fast as the client reads it, until it ends or the client goes. */
  async function writeGenerated(outgoing: ServerResponse, generated: NonNullable<HostileBehaviour['body']>): Promise<void> {
    const total = generated.kind === 'huge' ? generated.bytes : Number.POSITIVE_INFINITY;
    outgoing.writeHead(200, {
      'content-type': 'application/json',
      ...(generated.kind === 'huge' && generated.announce ? { 'content-length': String(total) } : {}),
    });
    // One event, repeated: `[` + event + (`,` + event)* + `]`, padded to exactly `total` bytes.
    const event = Buffer.from(JSON.stringify({ id: 'x'.repeat(36), time: 1, type: 'LOGIN', details: { note: 'y'.repeat(900) } }));
    const piece = Buffer.concat(Array.from({ length: 64 }, () => Buffer.concat([event, Buffer.from(',')])));
    let written = 0;
    const write = (chunk: Buffer): Promise<boolean> =>
      new Promise((resolve) => {
        if (outgoing.destroyed) return resolve(false);
        written += chunk.byteLength;
        stats.generatedBytes += chunk.byteLength;
        if (outgoing.write(chunk)) return resolve(true);
        const done = (ok: boolean): void => {
          outgoing.off('drain', onDrain);
          outgoing.off('close', onClose);
          resolve(ok);
        };
        const onDrain = (): void => done(true);
        const onClose = (): void => done(false);
        outgoing.once('drain', onDrain);
        outgoing.once('close', onClose);
      });
    if (!(await write(Buffer.from('[')))) return;
    for (;;) {
      const room = total - written - event.byteLength - 1;
      if (room < piece.byteLength) break;
      if (!(await write(piece))) return;
    }
    const padding = Math.max(0, total - written - event.byteLength - 1);
    const tail = Buffer.concat([Buffer.alloc(padding, 0x20), event, Buffer.from(']')]);
    if (await write(tail)) outgoing.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    behave: (next, realm) => {
      if (realm === undefined) fallback = next;
      else byRealm.set(realm, next);
    },
    stats: () => ({ ...stats, queries: [...stats.queries] }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
