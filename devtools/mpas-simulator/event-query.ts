import type { AdminEvent, MpasEvent, Stream, UserEvent } from '../../lib/core/events/event-schemas.js';
import { DEFAULT_LEGACY_VERSION, DEFAULT_MODERN_VERSION, keycloakVersionTraits } from './simulator-options.js';
import type { ApiMode, VersionTraits } from './simulator-options.js';
import type { StoreQuery } from './stream-event-store.js';
import type { JsonReply } from './token-issuer.js';

/** A parsed query, or the error reply Keycloak would send for it. */
export type ParsedEventQuery = { ok: true; query: StoreQuery } | { ok: false; reply: JsonReply };

const DAY_MS = 86_400_000;
// RealmAdminResource: `query.maxResults(Constants.DEFAULT_MAX_RESULTS)` (100) when `max` is absent.
const DEFAULT_MAX = 100;
const LONG_MAX = 2n ** 63n - 1n;

function traitsOf(version: VersionTraits | ApiMode): VersionTraits {
  if (typeof version !== 'string') return version;
  return keycloakVersionTraits(version === 'legacy' ? DEFAULT_LEGACY_VERSION : DEFAULT_MODERN_VERSION) as VersionTraits;
}

/**
 * `new SimpleDateFormat("yyyy-MM-dd").parse(text)` in a server zone of fixed offset: the start of
 * the parsed day, or undefined where Java throws ParseException. Legacy RealmAdminResource
 * (Keycloak < 26.2) parses both bounds this way. What the JDK does and this copies:
 * - DateFormat.parse(String) succeeds once the pattern is matched and ignores any text after
 *   it, so `2025-02-12T10:00` and `2025-02-12junk` are 2025-02-12;
 * - each numeric field skips leading spaces and tabs, and, its neighbours being literals, takes
 *   as many digits as there are (`2025-2-5` is 2025-02-05); month and day go through
 *   DecimalFormat, which takes a leading '-';
 * - the calendar is lenient: `2025-13-01` is 2026-01-01, `2025-02-30` is 2025-03-02, `2025-03-00`
 *   is 2025-02-28.
 * Not modelled: the Julian calendar before 1582-10-15, negative or zero years, fields of more
 * than nine digits (answered as unparseable here), and zones with daylight saving time.
 */
export function parseLenientDate(text: string, utcOffsetMinutes: number): number | undefined {
  let pos = 0;
  const number = (signed: boolean): number | undefined => {
    while (text[pos] === ' ' || text[pos] === '\t') pos += 1;
    let sign = 1;
    if (signed && text[pos] === '-') {
      sign = -1;
      pos += 1;
    }
    const start = pos;
    while (pos < text.length && text.charCodeAt(pos) >= 48 && text.charCodeAt(pos) <= 57) pos += 1;
    if (pos === start || pos - start > 9) return undefined;
    return sign * Number(text.slice(start, pos));
  };
  const dash = (): boolean => {
    if (text[pos] !== '-') return false;
    pos += 1;
    return true;
  };
  const year = number(false);
  if (year === undefined || year === 0 || !dash()) return undefined;
  const month = number(true);
  if (month === undefined || !dash()) return undefined;
  const day = number(true);
  if (day === undefined) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not turn years 0..99 into 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() - utcOffsetMinutes * 60_000;
}

/** `LocalDate.parse(text)` (ISO_LOCAL_DATE, strict): the UTC day's start, or undefined. */
function isoDateStartUtc(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.getTime();
}

/** `Long.parseLong(text)` for a non-negative epoch, or undefined where it throws. */
function parseLong(text: string): number | undefined {
  if (!/^\+?\d{1,19}$/.test(text) || BigInt(text) > LONG_MAX) return undefined;
  return Number(text);
}

function badRequest(error: string): JsonReply {
  // KeycloakErrorHandler: a WebApplicationException's message becomes `error`, with no
  // error_description for a 4xx (services/.../error/KeycloakErrorHandler.java).
  return { status: 400, body: { error } };
}

/**
 * One legacy bound (Keycloak 24 .. 26.1 RealmAdminResource): a lenient SimpleDateFormat in the
 * server's zone, 400 "Invalid value for 'Date(From)' / 'Date(To)', expected format is yyyy-MM-dd"
 * otherwise. dateFrom is the day's first millisecond (JpaEventQuery.fromDate(Date) /
 * JpaAdminEventQuery.fromTime(Date)). dateTo is 00:00:00.000 of its day for admin events
 * (JpaAdminEventQuery.toTime(Date), keycloak#38442) and for user events before 26.0; for user
 * events in 26.0 and 26.1 JpaEventQuery.toDate(Date) moves it to 23:59:59.999 of that day in the
 * server's zone (GregorianCalendar, keycloak#30414, PR keycloak#30508).
 */
function legacyBound(text: string, bound: 'From' | 'To', stream: Stream, traits: VersionTraits, utcOffsetMinutes: number): number | JsonReply {
  const start = parseLenientDate(text, utcOffsetMinutes);
  if (start === undefined) return badRequest(`Invalid value for 'Date(${bound})', expected format is yyyy-MM-dd`);
  if (bound === 'To' && stream === 'user' && traits.userDateToEndOfDay) return start + DAY_MS - 1;
  return start;
}

/**
 * One modern bound (Keycloak >= 26.2 RealmAdminResource with services/util/DateUtil): a text
 * holding '-' is LocalDate.parse (strict ISO) read as a UTC day, dateFrom its first and dateTo
 * its last millisecond (LocalTime.MAX); anything else is Long.parseLong epoch milliseconds
 * (so `-5` is a date that does not parse). Failures answer 400 "Invalid value for 'dateFrom',
 * expected format is yyyy-MM-dd or an Epoch timestamp".
 * 26.2.0 alone: a yyyy-MM-dd dateTo matches no event at all (keycloak#38911, fixed in 26.2.1);
 * the cause could not be read, so it is modelled as an upper bound before every event.
 */
function modernBound(text: string, bound: 'From' | 'To', traits: VersionTraits): number | JsonReply {
  const name = bound === 'From' ? 'dateFrom' : 'dateTo';
  const invalid = badRequest(`Invalid value for '${name}', expected format is yyyy-MM-dd or an Epoch timestamp`);
  if (text.includes('-')) {
    const start = isoDateStartUtc(text);
    if (start === undefined) return invalid;
    if (bound === 'From') return start;
    return traits.dateOnlyToMatchesNothing ? -1 : start + DAY_MS - 1;
  }
  return parseLong(text) ?? invalid;
}

/**
 * `first` / `max`. JAX-RS answers 404 when a query parameter does not convert to its Integer.
 * Then model/jpa PaginationUtils.paginateQuery (Keycloak >= 22, used by JpaEventQuery and
 * JpaAdminEventQuery): a negative `first` is ignored (offset 0), a negative `max` sets no limit,
 * `max` absent is RealmAdminResource's 100. There is no cap.
 */
function integerParam(params: URLSearchParams, name: 'first' | 'max'): number | undefined | JsonReply {
  const text = params.get(name);
  if (text === null) return undefined;
  if (!/^[-+]?\d{1,10}$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) return { status: 404, body: { error: 'HTTP 404 Not Found' } };
  return Number(text);
}

function isReply(value: number | undefined | JsonReply): value is JsonReply {
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
 * query, as the given Keycloak version reads it, checking in RealmAdminResource's order:
 * first/max conversion (JAX-RS, before the method), dateFrom, dateTo, then (>= 26.2) direction.
 * Legacy servers ignore `direction` and always answer newest first (JpaEventQuery orders by
 * time desc); modern ones take exactly `asc` or `desc` and answer 400 "Invalid value for
 * sortDirection, expected value is asc or desc" to anything else, even an empty value.
 */
export function parseEventQuery(params: URLSearchParams, stream: Stream, version: VersionTraits | ApiMode, utcOffsetMinutes: number): ParsedEventQuery {
  const traits = traitsOf(version);
  const query: StoreQuery = { order: 'desc', first: 0, max: DEFAULT_MAX };
  const first = integerParam(params, 'first');
  if (isReply(first)) return { ok: false, reply: first };
  const max = integerParam(params, 'max');
  if (isReply(max)) return { ok: false, reply: max };
  const bound = (name: 'From' | 'To'): number | JsonReply | undefined => {
    // `?dateFrom=` is an empty string, not null, to JAX-RS: it fails both parsers.
    const text = params.get(`date${name}`);
    if (text === null) return undefined;
    return traits.generation === 'legacy' ? legacyBound(text, name, stream, traits, utcOffsetMinutes) : modernBound(text, name, traits);
  };
  const from = bound('From');
  if (from !== undefined && isReply(from)) return { ok: false, reply: from };
  const to = bound('To');
  if (to !== undefined && isReply(to)) return { ok: false, reply: to };
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  if (traits.generation === 'modern') {
    const direction = params.get('direction');
    if (direction !== null && direction !== 'asc' && direction !== 'desc') {
      return { ok: false, reply: badRequest('Invalid value for sortDirection, expected value is asc or desc') };
    }
    if (direction === 'asc') query.order = 'asc';
  }
  // PaginationUtils.paginateQuery: `first >= 0` is the offset, a negative one is ignored.
  query.first = first !== undefined && first >= 0 ? first : 0;
  // A negative max sets no limit (first >= 0 with max < 0 takes Integer.MAX_VALUE >> 1).
  query.max = max === undefined ? DEFAULT_MAX : max < 0 ? Number.POSITIVE_INFINITY : max;
  const matches = filterOf(params, stream);
  if (matches) query.matches = matches;
  return { ok: true, query };
}
