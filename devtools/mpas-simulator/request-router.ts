import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import { realSleep } from '../../lib/core/time/sleep.js';
import { USER_EVENT_WEIGHTS } from '../generators/user-event-generator.js';
import { parseEventQuery } from './event-query.js';
import type { FaultInjector } from './fault-injector.js';
import type { RequestStats } from './request-stats.js';
import type { ResolvedSimulatorOptions, SimulatorRoute, VersionTraits } from './simulator-options.js';
import type { StreamEventStore } from './stream-event-store.js';
import type { JsonReply, TokenIssuer } from './token-issuer.js';

/** What the router needs from the running simulator. */
export interface RouterContext {
  options: ResolvedSimulatorOptions;
  tokens: TokenIssuer;
  faults: FaultInjector;
  stats: RequestStats;
  /** The Keycloak version played now. */
  traits(): VersionTraits;
  storeFor(realm: string, stream: Stream): StreamEventStore | undefined;
  /** Runs the expired-events cleanup if a scheduled run has come due by the server clock. */
  runDueCleanup(): void;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

const TOKEN_PATH = /^\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
const EVENTS_PATH = /^\/admin\/realms\/([^/]+)\/(events|admin-events)$/;
const EVENTS_CONFIG_PATH = /^\/admin\/realms\/([^/]+)\/events\/config$/;

function json(reply: JsonReply): Reply {
  return { status: reply.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply.body) };
}

function routeOf(method: string, path: string): { route: SimulatorRoute; realm?: string; allowed: string; eventsConfig?: boolean } {
  const token = TOKEN_PATH.exec(path);
  if (token) return { route: 'token', realm: token[1], allowed: 'POST' };
  const events = EVENTS_PATH.exec(path);
  if (events) return { route: events[2] === 'events' ? 'events' : 'admin-events', realm: events[1], allowed: 'GET' };
  // Counted under 'other' in stats(), to keep its shape.
  const config = EVENTS_CONFIG_PATH.exec(path);
  if (config) return { route: 'other', realm: config[1], allowed: 'GET', eventsConfig: true };
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
 * The admin checks every realm endpoint here makes, in Keycloak's order: the bearer token (401),
 * the realm (404), then the token's realm and the view-events role (403:
 * `auth.realm().requireViewEvents()` in RealmAdminResource getEvents, getAdminEvents (its Java
 * name is also getEvents) and getRealmEventsConfig). Undefined when all pass.
 */
function adminCheck(context: RouterContext, realm: string, request: IncomingMessage): Reply | undefined {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const grant = context.tokens.verify(bearer);
  if (!grant) return json({ status: 401, body: { error: 'HTTP 401 Unauthorized' } });
  if (!context.storeFor(realm, 'user')) return json({ status: 404, body: { error: 'Realm not found.' } });
  // A master-realm administrator may read every realm; any other realm's token only its own.
  if ((grant.realm !== 'master' && grant.realm !== realm) || !grant.roles.includes('view-events')) {
    return json({ status: 403, body: { error: 'HTTP 403 Forbidden' } });
  }
  return undefined;
}

/** The event endpoints: the admin checks, the query (400/404), then the page. */
function eventsReply(context: RouterContext, route: 'events' | 'admin-events', realm: string, request: IncomingMessage, url: URL): Reply {
  const refused = adminCheck(context, realm, request);
  if (refused) return refused;
  const stream: Stream = route === 'events' ? 'user' : 'admin';
  const store = context.storeFor(realm, stream) as StreamEventStore;
  const traits = context.traits();
  const parsed = parseEventQuery(url.searchParams, stream, traits, context.options.serverUtcOffsetMinutes);
  if (!parsed.ok) return json(parsed.reply);
  context.runDueCleanup();
  const events = store.query(parsed.query, context.options.serverClock.now());
  const malformed = context.faults.takeMalformedBody(events);
  if (malformed !== undefined) return { status: 200, headers: { 'content-type': 'application/json' }, body: malformed };
  context.stats.recordServed(stream, events.length);
  // Event ids (`id` on EventRepresentation / AdminEventRepresentation) are served from 26.2
  // (keycloak#36600); older servers never had them, so stored ids are left out.
  return { status: 200, headers: { 'content-type': 'application/json' }, body: traits.generation === 'legacy' ? JSON.stringify(withoutIds(events)) : pageJson(events) };
}

// The event types the bundled generator produces, standing in for Keycloak's list of
// EventType.isSaveByDefault() types that getRealmEventsConfig fills in when none are set.
const ENABLED_EVENT_TYPES = USER_EVENT_WEIGHTS.map(([type]) => type);

/**
 * `GET /admin/realms/{realm}/events/config` (RealmAdminResource.getRealmEventsConfig, role
 * view-events): RealmEventsConfigRepresentation. Keycloak's ObjectMapper leaves out null
 * fields, so `eventsExpiration` is absent when events never expire. The admin events'
 * expiration is the realm attribute `adminEventsExpiration` and is not in this representation
 * as read (core/.../RealmEventsConfigRepresentation.java), so it is not served here.
 */
function eventsConfigReply(context: RouterContext, realm: string, request: IncomingMessage): Reply {
  const refused = adminCheck(context, realm, request);
  if (refused) return refused;
  const expiration = context.options.eventsExpirationSeconds;
  return json({
    status: 200,
    body: {
      eventsEnabled: true,
      ...(expiration === undefined ? {} : { eventsExpiration: expiration }),
      eventsListeners: ['jboss-logging'],
      enabledEventTypes: ENABLED_EVENT_TYPES,
      adminEventsEnabled: true,
      adminEventsDetailsEnabled: false,
    },
  });
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

async function replyTo(context: RouterContext, request: IncomingMessage, route: SimulatorRoute, realm: string | undefined, url: URL, eventsConfig: boolean): Promise<Reply> {
  if (eventsConfig && realm !== undefined) return eventsConfigReply(context, realm, request);
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
        else reply = await replyTo(context, request, route, routed.realm === undefined ? undefined : decodeURIComponent(routed.realm), url, routed.eventsConfig === true);
      } catch {
        reply = json({ status: 500, body: { error: 'unknown_error' } });
      }
      context.stats.recordResponse(route, reply.status);
      // Keycloak (Quarkus / Vert.x) sends an RFC 7231 IMF-fixdate Date header from the server's
      // own clock; with clockSkewMs that clock is off from the client's.
      const date = new Date(context.options.serverClock.now()).toUTCString();
      response.writeHead(reply.status, { ...reply.headers, date, 'content-length': Buffer.byteLength(reply.body) });
      response.end(reply.body);
    })();
  };
}
