import type { AdminEvent, MpasEvent, Stream, UserEvent } from '../../mpas/event-schemas.js';
import type { ApiMode } from './simulator-options.js';
import type { StoreQuery } from './stream-event-store.js';
import type { JsonReply } from './token-issuer.js';

/** A parsed query, or the error reply Keycloak would send for it. */
export type ParsedEventQuery = { ok: true; query: StoreQuery } | { ok: false; reply: JsonReply };

const DAY_MS = 86_400_000;
const DEFAULT_MAX = 100;

/** Start of the `yyyy-MM-dd` day in the server's zone, or undefined when `text` is no such date. */
function startOfDay(text: string, utcOffsetMinutes: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc - utcOffsetMinutes * 60_000;
}

/**
 * One date bound: `yyyy-MM-dd` everywhere (dateFrom from the start of the day, dateTo to its
 * last millisecond, in the server's zone), epoch milliseconds only in modern mode.
 */
function dateBound(text: string, bound: 'From' | 'To', mode: ApiMode, utcOffsetMinutes: number): number | JsonReply {
  if (mode === 'modern' && /^\d{1,16}$/.test(text)) return Number(text);
  const start = startOfDay(text, utcOffsetMinutes);
  if (start !== undefined) return bound === 'From' ? start : start + DAY_MS - 1;
  const expected = mode === 'modern' ? 'yyyy-MM-dd or an epoch timestamp in milliseconds' : 'yyyy-MM-dd';
  return { status: 400, body: { error: `Invalid value for 'Date(${bound})', expected format is ${expected}` } };
}

/**
 * `first` / `max`. JAX-RS answers 404 when a query parameter does not convert to its Java
 * type, and JPA rejects a negative offset or limit with an exception Keycloak turns into 500.
 */
function integerParam(params: URLSearchParams, name: 'first' | 'max', fallback: number): number | JsonReply {
  const text = params.get(name);
  if (text === null || text === '') return fallback;
  if (!/^-?\d{1,10}$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
  const value = Number(text);
  if (value < 0) return { status: 500, body: { error: 'unknown_error' } };
  return value;
}

function isReply(value: number | JsonReply): value is JsonReply {
  return typeof value === 'object';
}

/** `*` in Keycloak's resourcePath filter matches any run of characters. */
function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** Keycloak's optional filters of each endpoint, folded into one predicate (undefined when none). */
function filterOf(params: URLSearchParams, stream: Stream): ((event: MpasEvent) => boolean) | undefined {
  const tests: Array<(event: MpasEvent) => boolean> = [];
  const anyOf = (name: string, field: (event: MpasEvent) => unknown): void => {
    const values = params.getAll(name).filter((value) => value !== '');
    if (values.length > 0) tests.push((event) => values.includes(String(field(event))));
  };
  if (stream === 'user') {
    anyOf('type', (event) => (event as UserEvent).type);
    anyOf('client', (event) => (event as UserEvent).clientId);
    anyOf('user', (event) => (event as UserEvent).userId);
    anyOf('ipAddress', (event) => (event as UserEvent).ipAddress);
  } else {
    anyOf('operationTypes', (event) => (event as AdminEvent).operationType);
    anyOf('resourceTypes', (event) => (event as AdminEvent).resourceType);
    anyOf('authRealm', (event) => (event as AdminEvent).authDetails?.realmId);
    anyOf('authClient', (event) => (event as AdminEvent).authDetails?.clientId);
    anyOf('authUser', (event) => (event as AdminEvent).authDetails?.userId);
    anyOf('authIpAddress', (event) => (event as AdminEvent).authDetails?.ipAddress);
    const path = params.get('resourcePath');
    if (path) {
      const pattern = wildcard(path);
      tests.push((event) => pattern.test((event as AdminEvent).resourcePath ?? ''));
    }
  }
  if (tests.length === 0) return undefined;
  return (event) => tests.every((test) => test(event));
}

/**
 * Turns the query string of `GET /admin/realms/{realm}/events` or `/admin-events` into a store
 * query, as the given Keycloak generation reads it. Legacy servers ignore `direction` and
 * always answer newest first; modern ones answer oldest first only for `direction=asc`.
 */
export function parseEventQuery(params: URLSearchParams, stream: Stream, mode: ApiMode, utcOffsetMinutes: number): ParsedEventQuery {
  const query: StoreQuery = { order: 'desc', first: 0, max: DEFAULT_MAX };
  const from = params.get('dateFrom');
  if (from) {
    const bound = dateBound(from, 'From', mode, utcOffsetMinutes);
    if (isReply(bound)) return { ok: false, reply: bound };
    query.from = bound;
  }
  const to = params.get('dateTo');
  if (to) {
    const bound = dateBound(to, 'To', mode, utcOffsetMinutes);
    if (isReply(bound)) return { ok: false, reply: bound };
    query.to = bound;
  }
  const first = integerParam(params, 'first', 0);
  if (isReply(first)) return { ok: false, reply: first };
  const max = integerParam(params, 'max', DEFAULT_MAX);
  if (isReply(max)) return { ok: false, reply: max };
  query.first = first;
  query.max = max;
  if (mode === 'modern' && params.get('direction') === 'asc') query.order = 'asc';
  const matches = filterOf(params, stream);
  if (matches) query.matches = matches;
  return { ok: true, query };
}
