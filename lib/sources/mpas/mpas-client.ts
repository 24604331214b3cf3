import type { ApiMode } from '../../core/cursor/cursor-store.js';
import { systemClock } from '../../core/time/clock.js';
import type { Clock } from '../../core/time/clock.js';
import { realSleep } from '../../core/time/sleep.js';
import type { Sleep } from '../../core/time/sleep.js';
import { ApiModeProbe } from './api-mode-probe.js';
import { ServerClock } from './server-clock.js';
import { MpasAuthError, MpasForbiddenError, MpasNotFoundError, MpasPageTooLargeError, MpasRequestRejectedError } from './errors.js';
import type { MpasRoute } from './errors.js';
import type { MpasEvent, Stream } from '../../core/events/event-schemas.js';
import { parseEventsConfig } from './events-config.js';
import type { EventsExpiration } from './events-config.js';
import { undiciFetchVia } from '../../net/http-fetch.js';
import type { HttpFetch } from '../../net/http-fetch.js';
import { bodyText, HttpTransport } from './http-transport.js';
import type { HttpRequest, HttpResult, RequestInfo } from './http-transport.js';
import { mpasAgentWithCa } from './mpas-agent.js';
import { DEFAULT_MAX_BODY_BYTES } from './page-limits.js';
import { parseEventPage } from './page-parser.js';
import { rejectionOf } from '../../core/events/rejected-event.js';
import { RetryPolicy } from './retry-policy.js';
import type { RetrySettings } from './retry-policy.js';
import { readServerMessage } from './server-message.js';
import { TokenProvider } from './token-provider.js';
import type { MpasCredentials } from './token-provider.js';

export type { MpasCredentials } from './token-provider.js';

/** How to reach and log in to MPAS, and how patiently. */
export interface MpasClientOptions {
  /** The server's root, e.g. `https://mpas.example.com` (Keycloak >= 17 has no `/auth`). */
  baseUrl: string;
  /** The realm whose token endpoint issues the client's tokens (usually `master`). */
  authRealm: string;
  credentials: MpasCredentials;
  /** @default systemClock */
  clock?: Clock;
  /** @default realSleep */
  sleep?: Sleep;
  /** The draw for backoff jitter, in [0, 1); tests pass a seeded one. @default Math.random */
  random?: () => number;
  /** @default undiciFetch (undici's request(), without fetch's WHATWG streams), through an Agent trusting `caFile` when given */
  fetch?: HttpFetch;
  /** PEM file of a private CA that signed the server's certificate (MPAS_CA_FILE); ignored with `fetch`. */
  caFile?: string;
  /** The most one answer may weigh (MPAS_MAX_PAGE_BYTES); its read is cut beyond. @default DEFAULT_MAX_BODY_BYTES (32 MiB) */
  maxPageBytes?: number;
  /** Per attempt, body included. @default 10_000 */
  requestTimeoutMs?: number;
  /** @default { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 } */
  retry?: RetrySettings;
  /** Called after every HTTP attempt, for metrics. */
  onRequest?: (info: RequestInfo) => void;
}

/** One page of a realm's stream, as the events endpoints take it. */
export interface EventPageQuery {
  realm: string;
  stream: Stream;
  /** Epoch milliseconds (modern servers) or `yyyy-MM-dd` (any server); inclusive. */
  dateFrom?: number | string;
  /** Epoch milliseconds (modern servers) or `yyyy-MM-dd` (any server); inclusive. */
  dateTo?: number | string;
  first: number;
  max: number;
  /** Ignored by legacy servers, which always answer newest first. */
  direction?: 'asc' | 'desc';
}

/**
 * The MPAS (Keycloak) admin events API: user and admin events of a realm, one validated page
 * at a time, with the token, retries, timeouts and the API-mode probe taken care of.
 */
export class MpasClient {
  private readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private readonly tokens: TokenProvider;
  private readonly probe: ApiModeProbe;
  /**
   * The access tokens last sent, newest first: an error body that echoes one must not show it.
   * A few, not one, since requests of other realms run alongside and a renewal replaces it.
   */
  private tokensSent: string[] = [];
  private readonly clock: Clock;
  /** The server's clock, as the `Date` headers of its answers tell it. */
  readonly serverClock = new ServerClock();

  constructor(private readonly options: MpasClientOptions) {
    this.baseUrl = checkedBaseUrl(options.baseUrl);
    if (options.authRealm.length === 0) throw new RangeError('authRealm must not be empty');
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0 (got ${requestTimeoutMs})`);
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const maxBodyBytes = options.maxPageBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!(maxBodyBytes > 0)) throw new RangeError(`maxPageBytes must be > 0 (got ${maxBodyBytes})`);
    this.transport = new HttpTransport({
      serverClock: this.serverClock,
      fetch: options.fetch ?? undiciFetchVia(options.caFile !== undefined ? mpasAgentWithCa(options.caFile) : undefined),
      maxBodyBytes,
      clock,
      sleep: options.sleep ?? realSleep,
      policy: new RetryPolicy(options.retry, options.random),
      requestTimeoutMs,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    this.tokens = new TokenProvider({
      baseUrl: this.baseUrl,
      authRealm: options.authRealm,
      credentials: options.credentials,
      transport: this.transport,
      clock,
    });
    this.probe = new ApiModeProbe(
      (realm, query, signal) => this.authorizedGet('events', realm, this.eventsUrl(realm, 'events', query), signal),
      (result, realm) => this.fail(result, realm, 'events'),
    );
  }

  /**
   * Tells a Keycloak >= 26.2 server from an older one; the answer is remembered per realm until
   * asked with `refresh` (the poller does so once a poll: a server can be upgraded in place).
   */
  apiMode(realm: string, options: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ApiMode> {
    return this.probe.mode(realm, options.signal, options.refresh ?? false);
  }

  /** The latest time the server has surely reached: ours, unless its clock is known to be behind. */
  serverNow(): number {
    return this.serverClock.serverNow(this.clock.now());
  }

  /**
   * One page, each element validated with the stream's zod schema: an element that is no usable
   * event comes back in its place as a rejected event (see parseEventPage), for the dead-letter store.
   * @throws MpasAuthError, MpasForbiddenError, MpasNotFoundError, MpasUnavailableError,
   *   MpasResponseError, MpasRequestRejectedError; the signal's reason when it aborts.
   */
  async getEvents(query: EventPageQuery, signal?: AbortSignal): Promise<MpasEvent[]> {
    const route: MpasRoute = query.stream === 'user' ? 'events' : 'admin-events';
    const url = this.eventsUrl(query.realm, route, queryParameters(query));
    const origin = { realm: query.realm, stream: query.stream, ...(typeof query.dateFrom === 'number' ? { fallbackTime: query.dateFrom } : {}) };
    const read = async (): Promise<MpasEvent[]> => {
      const result = await this.authorizedGet(route, query.realm, url, signal);
      if (result.cutAtBytes !== undefined) throw new MpasPageTooLargeError({ route, realm: query.realm, limitBytes: result.cutAtBytes, max: query.max });
      if (result.status !== 200) this.fail(result, query.realm, route);
      return parseEventPage(result.body, origin);
    };
    const page = await read();
    // A bad element may be a passing corruption (a proxy, a torn answer): it is dead-lettered only
    // when a second read says so too. One more request, for pages holding one only.
    return page.some((event) => rejectionOf(event) !== undefined) ? read() : page;
  }

  /**
   * How long the realm keeps its events (`GET /admin/realms/{realm}/events/config`, which needs
   * the view-events role, as the events endpoints do). Tolerant, since it only feeds warnings:
   * a 403, a 404 (a server or proxy without the endpoint) or any other refusal is `unknown`.
   * @throws MpasAuthError, MpasUnavailableError; the signal's reason when it aborts.
   */
  async eventsExpiration(realm: string, signal?: AbortSignal): Promise<EventsExpiration> {
    const result = await this.authorizedGet('events', realm, `${this.eventsUrl(realm, 'events', {})}/config`, signal);
    if (result.cutAtBytes !== undefined) return { status: 'unknown', reason: `the events config of realm ${realm} weighs more than ${result.cutAtBytes} bytes (MPAS_MAX_PAGE_BYTES)` };
    if (result.status === 200) return parseEventsConfig(bodyText(result));
    if (result.status === 403) return { status: 'unknown', reason: `reading the events config of realm ${realm} was refused (403): it needs the view-events role` };
    return { status: 'unknown', reason: `the events config of realm ${realm} is not served (status ${result.status})` };
  }

  /** A GET with the cached token; on 401 the token is renewed and the request sent once more. */
  private async authorizedGet(route: MpasRoute, realm: string, url: string, signal?: AbortSignal): Promise<HttpResult> {
    const token = await this.tokens.token(signal);
    this.rememberSent(token);
    const first = await this.transport.send(this.getRequest(route, url, token), signal);
    if (first.status !== 401) return first;
    const fresh = await this.tokens.renew(token, signal);
    this.rememberSent(fresh);
    const second = await this.transport.send(this.getRequest(route, url, fresh), signal);
    if (second.status !== 401) return second;
    const { credentials, authRealm } = this.options;
    throw new MpasAuthError({
      grant: credentials.grant,
      authRealm,
      status: 401,
      description: `the ${route} endpoint of realm ${realm} refused a freshly issued token`,
    });
  }

  private rememberSent(token: string): void {
    this.tokensSent = [token, ...this.tokensSent.filter((sent) => sent !== token)].slice(0, 4);
  }

  private getRequest(route: MpasRoute, url: string, token: string): HttpRequest {
    return { route, method: 'GET', url, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } };
  }

  private eventsUrl(realm: string, route: MpasRoute, query: Readonly<Record<string, string>>): string {
    if (realm.length === 0) throw new RangeError('realm must not be empty');
    const search = new URLSearchParams(query).toString();
    return `${this.baseUrl}/admin/realms/${encodeURIComponent(realm)}/${route}${search ? `?${search}` : ''}`;
  }

  /** Turns a status the caller cannot use into the error that says what to do about it. */
  private fail(result: HttpResult, realm: string, route: MpasRoute): never {
    if (result.status === 403) throw new MpasForbiddenError(realm, route);
    if (result.status === 404) throw new MpasNotFoundError(realm, route);
    const message = readServerMessage(bodyText(result), this.tokensSent);
    throw new MpasRequestRejectedError({
      route,
      realm,
      status: result.status,
      ...(message.text !== undefined ? { serverMessage: message.text } : {}),
    });
  }
}

/** The query string of a page: numbers as decimal epoch milliseconds, strings as given. */
export function queryParameters(query: EventPageQuery): Record<string, string> {
  const out: Record<string, string> = {};
  if (query.dateFrom !== undefined) out.dateFrom = dateParameter('dateFrom', query.dateFrom);
  if (query.dateTo !== undefined) out.dateTo = dateParameter('dateTo', query.dateTo);
  out.first = countParameter('first', query.first, 0);
  out.max = countParameter('max', query.max, 1);
  if (query.direction !== undefined) out.direction = query.direction;
  return out;
}

function dateParameter(name: string, value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer of epoch milliseconds (got ${value})`);
  return value.toString(10);
}

function countParameter(name: string, value: number, min: number): string {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min} (got ${value})`);
  return value.toString(10);
}

function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new RangeError(`baseUrl is not a URL: ${JSON.stringify(baseUrl)}`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`baseUrl must be http(s) (got ${url.protocol})`);
  if (url.username || url.password) throw new RangeError('baseUrl must not carry credentials; use the credentials option');
  if (url.search || url.hash) throw new RangeError('baseUrl must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}
