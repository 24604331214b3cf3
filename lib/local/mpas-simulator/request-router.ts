import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MpasEvent, Stream } from '../../mpas/event-schemas.js';
import { realSleep } from '../../time/sleep.js';
import { parseEventQuery } from './event-query.js';
import type { FaultInjector } from './fault-injector.js';
import type { RequestStats } from './request-stats.js';
import type { ApiMode, ResolvedSimulatorOptions, SimulatorRoute } from './simulator-options.js';
import type { StreamEventStore } from './stream-event-store.js';
import type { JsonReply, TokenIssuer } from './token-issuer.js';

/** What the router needs from the running simulator. */
export interface RouterContext {
  options: ResolvedSimulatorOptions;
  tokens: TokenIssuer;
  faults: FaultInjector;
  stats: RequestStats;
  mode(): ApiMode;
  storeFor(realm: string, stream: Stream): StreamEventStore | undefined;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

const TOKEN_PATH = /^\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
const EVENTS_PATH = /^\/admin\/realms\/([^/]+)\/(events|admin-events)$/;

function json(reply: JsonReply): Reply {
  return { status: reply.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply.body) };
}

function routeOf(method: string, path: string): { route: SimulatorRoute; realm?: string; allowed: string } {
  const token = TOKEN_PATH.exec(path);
  if (token) return { route: 'token', realm: token[1], allowed: 'POST' };
  const events = EVENTS_PATH.exec(path);
  if (events) return { route: events[2] === 'events' ? 'events' : 'admin-events', realm: events[1], allowed: 'GET' };
  return { route: 'other', allowed: method };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Legacy Keycloak has no event ids: drop them from what was stored. */
function withoutIds(events: readonly MpasEvent[]): unknown[] {
  return events.map((event) => {
    if (!('id' in event)) return event;
    const { id: _id, ...rest } = event;
    return rest;
  });
}

/**
 * The event endpoints, checked in Keycloak's order: the bearer token (401), the realm (404),
 * the token's realm and role (403), the query (400/404/500), then the page.
 */
function eventsReply(context: RouterContext, route: 'events' | 'admin-events', realm: string, request: IncomingMessage, url: URL): Reply {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const grant = context.tokens.verify(bearer);
  if (!grant) return json({ status: 401, body: { error: 'HTTP 401 Unauthorized' } });
  const stream: Stream = route === 'events' ? 'user' : 'admin';
  const store = context.storeFor(realm, stream);
  if (!store) return json({ status: 404, body: { error: 'Realm not found.' } });
  // A master-realm administrator may read every realm; any other realm's token only its own.
  if ((grant.realm !== 'master' && grant.realm !== realm) || !grant.roles.includes('view-events')) {
    return json({ status: 403, body: { error: 'HTTP 403 Forbidden' } });
  }
  const mode = context.mode();
  const parsed = parseEventQuery(url.searchParams, stream, mode, context.options.serverUtcOffsetMinutes);
  if (!parsed.ok) return json(parsed.reply);
  const events = store.query(parsed.query, context.options.clock.now());
  const malformed = context.faults.takeMalformedBody(events);
  if (malformed !== undefined) return { status: 200, headers: { 'content-type': 'application/json' }, body: malformed };
  context.stats.recordServed(stream, events.length);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: mode === 'legacy' ? JSON.stringify(withoutIds(events)) : pageJson(events) };
}

// Each event's JSON as UTF-8, made the first time it is served: a catch-up reads the same stored
// events page after page, and writing and encoding them anew each time made the simulator, not
// the product, the bottleneck of the benchmarks. A stored event is not changed once added.
const eventJson = new WeakMap<MpasEvent, Buffer>();
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** The bytes of `JSON.stringify(events)`, copied from each event's JSON made once. */
function pageJson(events: readonly MpasEvent[]): Buffer {
  const parts: Buffer[] = [OPEN];
  for (let index = 0; index < events.length; index += 1) {
    const event = events[index]!;
    let json = eventJson.get(event);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(event), 'utf8');
      eventJson.set(event, json);
    }
    if (index > 0) parts.push(COMMA);
    parts.push(json);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

async function replyTo(context: RouterContext, request: IncomingMessage, route: SimulatorRoute, realm: string | undefined, url: URL): Promise<Reply> {
  if (route === 'token' && realm !== undefined) {
    const body = await readBody(request);
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return json({ status: 415, body: { error: 'HTTP 415 Unsupported Media Type' } });
    return json(context.tokens.issue(realm, new URLSearchParams(body)));
  }
  if ((route === 'events' || route === 'admin-events') && realm !== undefined) return eventsReply(context, route, realm, request, url);
  return json({ status: 404, body: { error: 'Unable to find matching target resource method' } });
}

/** Builds the node:http request listener: latency, injected failures, routing, stats. */
export function createRequestListener(context: RouterContext): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void (async () => {
      let route: SimulatorRoute = 'other';
      let reply: Reply;
      try {
        const url = new URL(request.url ?? '/', 'http://simulator');
        const routed = routeOf(request.method ?? 'GET', url.pathname);
        route = routed.route;
        const latency = context.faults.latencyMs();
        if (latency > 0) await realSleep(latency);
        const failure = context.faults.takeFailure(route);
        if (failure) reply = failure;
        else if (request.method !== routed.allowed) reply = json({ status: 405, body: { error: 'HTTP 405 Method Not Allowed' } });
        else reply = await replyTo(context, request, route, routed.realm === undefined ? undefined : decodeURIComponent(routed.realm), url);
      } catch {
        reply = json({ status: 500, body: { error: 'unknown_error' } });
      }
      context.stats.recordResponse(route, reply.status);
      response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
      response.end(reply.body);
    })();
  };
}
