import { isIP } from 'node:net';
import type { AdminEvent, MpasEvent, UserEvent } from '../events/event-schemas.js';
import { canonicalJson } from '../events/event-key.js';
import { describeAdminEvent, describeUserEvent } from '../pipeline/event-catalog.js';
import type { EventDescription } from '../pipeline/event-catalog.js';
import { escapeExtensionValue, escapeHeaderField, headerText, truncate } from './cef-escape.js';
import { CUSTOM_STRING_LABELS } from './cef-fields.js';
import { CEF_LIMITS } from './cef-options.js';
import type { ResolvedCefOptions } from './cef-options.js';
import type { FormatContext } from './formatter.js';

/*
 * The forwarder's CEF hot path: the line `cefLine(cefFields(...))` gives, written in one pass with
 * no intermediate field list, no remainder objects and no per-event closures, its pieces appended
 * to a string local to one function; the sink flattens the rope when it encodes the line (reading a
 * character here to flatten it sooner is dead code to the optimizing compiler, and forcing it
 * measured no better). Each append allocates (a rope node, 32 bytes), and on Node 24 the garbage,
 * not the copying, is most of what the line costs beyond JSON.stringify: so whatever is the same
 * from event to event (the header with `rt=`, `act` with `outcome`, the realm, a remainder key
 * with its quotes) is one cached piece. `cefFields` stays the readable reference (the archive uses
 * its fields), and a property test holds the two byte-equal.
 */

type Rest = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function address(value: unknown): string | undefined {
  // Every address has a dot or a colon; a masked value has neither, and skips isIP's regexes.
  if (typeof value !== 'string' || (!value.includes('.') && !value.includes(':'))) return undefined;
  return isIP(value) !== 0 && !value.includes('%') ? value : undefined;
}

/** `prefix` (` key=`) and the value, when non-empty: truncated on the raw text, then escaped. */
function pair(prefix: string, value: string | undefined, maxLength: number): string {
  return value === undefined || value.length === 0 ? '' : prefix + escapeExtensionValue(truncate(value, maxLength));
}

/**
 * Which members of a record the mapping already used: always the `mapped` ones, and `alsoA` and
 * `alsoB` when given (members mapped only when their value qualified, such as a valid address).
 * Plain parameters rather than a predicate: a closure made per event costs more than the test.
 */
interface Used {
  mapped: ReadonlySet<string>;
  alsoA: string | undefined;
  alsoB: string | undefined;
}

function isUsed(key: string, used: Used): boolean {
  return used.mapped.has(key) || key === used.alsoA || key === used.alsoB;
}

/**
 * The members of `record` that are neither used nor null, as `"key":json` in sorted order, plus
 * `extra` (already JSON) under `extraKey`; undefined when the mapping leaves no remainder at all.
 * Mirrors `remainder` + spread + `canonicalJson` of cef-fields: a `__proto__` member never became
 * an own member of the remainder there, so it is skipped here, though it still opens the remainder.
 */
function remainderJson(record: unknown, used: Used, extraKey?: string, extra?: string): string | undefined {
  let keys: string[] | undefined;
  let opened = false;
  if (record !== null && typeof record === 'object') {
    for (const key of Object.keys(record)) {
      const value = (record as Rest)[key];
      if (value === null || value === undefined || isUsed(key, used)) continue;
      opened = true;
      if (key !== '__proto__') (keys ??= []).push(key);
    }
  }
  if (extra !== undefined) {
    opened = true;
    (keys ??= []).push(extraKey!);
  }
  if (!opened) return undefined;
  if (keys === undefined) return '{}';
  if (keys.length > 1) keys.sort();
  let json = '{';
  for (const key of keys) {
    json += (json.length > 1 ? ',' : '') + canonicalJson(key) + ':' + (key === extraKey && extra !== undefined ? extra : canonicalJson((record as Rest)[key]));
  }
  return json + '}';
}

// The JSON length, before escaping, of the members `membersText` wrote last.
let membersLength = 0;

// The kept keys of a record and of its nested member, in arrays reused from event to event: two
// arrays a line were a fifth of what it allocated.
const recordKeys: string[] = [];
const nestedKeys: string[] = [];

/** `cs6` as `custom(5, remainderJson(...))` writes it, built piecewise; undefined where the pieces could differ. */
function remainderText(record: Rest, used: Used, nestedKey: string, nestedUsed: Used): string | undefined {
  const nested = record[nestedKey];
  const nestedCount = nested === null || nested === undefined ? 0 : keptKeys(nested as Rest, nestedUsed, undefined, nestedKeys);
  if (nestedCount < 0) return undefined;
  const count = keptKeys(record, used, nestedCount === 0 ? undefined : nestedKey, recordKeys);
  if (count < 0) return undefined;
  if (count === 0) return '';
  const text = membersText(record, recordKeys, count, nestedKey, nestedCount);
  return membersLength > CEF_LIMITS.customString ? undefined : CUSTOM_PREFIXES[5]! + text;
}

/**
 * Puts the keys `remainderJson` keeps, `extraKey` added, sorted at the start of `keys`; returns
 * how many, or -1 where the pieces could differ from the whole: a nested object or array (whose
 * keys need sorting at every depth) or a `__proto__` member.
 */
function keptKeys(record: Rest, used: Used, extraKey: string | undefined, keys: string[]): number {
  let count = 0;
  // `for...in` rather than Object.keys: no array per record, and V8 reads each value through the
  // enumeration cache. Records are parsed JSON or copies of it, with nothing enumerable inherited.
  for (const key in record) {
    const value = record[key];
    if (value === null || value === undefined || isUsed(key, used)) continue;
    if (typeof value === 'object' || key === '__proto__') return -1;
    insertSorted(keys, count, key);
    count += 1;
  }
  if (extraKey !== undefined) {
    insertSorted(keys, count, extraKey);
    count += 1;
  }
  return count;
}

/** Inserts `key` in order among the first `count` of `keys` (UTF-16 code units, as `sort()` orders): a record keeps a handful. */
function insertSorted(keys: string[], count: number, key: string): void {
  let at = count;
  while (at > 0 && keys[at - 1]! > key) {
    keys[at] = keys[at - 1]!;
    at -= 1;
  }
  keys[at] = key;
}

/** `{"key":value,...}` of the first `count` keys, escaped for CEF; its length before escaping is left in `membersLength`. */
function membersText(record: Rest, keys: readonly string[], count: number, nestedKey: string | undefined, nestedCount: number): string {
  let rawLength = count + 1;
  let text = '';
  // What comes before the next key: the brace (FIRST), a comma (AFTER_VALUE), or the closing
  // quote of the text before and a comma (AFTER_TEXT): a plain text value costs one piece, not three.
  let after = FIRST;
  for (let index = 0; index < count; index += 1) {
    const key = keys[index]!;
    const quoted = quotedKey(key);
    rawLength += quoted.rawLength;
    const value = record[key];
    if (typeof value === 'string' && (value === quoted.plain || isPlainFor(quoted, value))) {
      text += quoted.pieces[after + OPENS_TEXT]! + value;
      rawLength += value.length + 2;
      after = AFTER_TEXT;
      continue;
    }
    text += quoted.pieces[after]!;
    after = AFTER_VALUE;
    if (key === nestedKey) {
      text += membersText(value as Rest, nestedKeys, nestedCount, undefined, 0);
      rawLength += membersLength;
    } else {
      // A number or a boolean (JSON has no character in it that CEF escapes), or text that needs escaping.
      const json = JSON.stringify(value);
      text += typeof value === 'string' ? escapeExtensionValue(json) : json;
      rawLength += json.length;
    }
  }
  membersLength = rawLength;
  return text + (after === AFTER_TEXT ? '"}' : '}');
}

// What JSON (quote, backslash, control characters, surrogates) or CEF (`=`, backslash) escapes.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const ESCAPED_BY_JSON_OR_CEF = /["\\=\u0000-\u001f\ud800-\udfff]/;

/** True when neither JSON nor CEF escapes anything in `text`. */
function isPlain(text: string): boolean {
  return !ESCAPED_BY_JSON_OR_CEF.test(text);
}

// Indexes of `QuotedKey.pieces`: what comes before the key, plus OPENS_TEXT when a text value follows.
const FIRST = 0;
const AFTER_VALUE = 2;
const AFTER_TEXT = 4;
const OPENS_TEXT = 1;

/** A member's key as JSON with its colon, escaped for CEF, and its length before escaping. */
interface QuotedKey {
  /** The key after `{`, `,` or `",` and before `:` or `:"`, by `FIRST | AFTER_VALUE | AFTER_TEXT` (+ `OPENS_TEXT`). */
  pieces: readonly string[];
  rawLength: number;
  /** The last short text value of this key that `isPlain` passed. */
  plain: string;
}

// Many members hold one of a few values (a grant type, a consent, the realm id, a masked address):
// a text equal to the last plain one of its key is plain too, and comparing costs a fraction of
// the test. Only short texts are kept, so the cache holds little.
const PLAIN_KEPT_LENGTH = 64;
function isPlainFor(quoted: QuotedKey, value: string): boolean {
  if (!isPlain(value)) return false;
  if (value.length <= PLAIN_KEPT_LENGTH) quoted.plain = value;
  return true;
}
const quotedKeys = new Map<string, QuotedKey>();
function quotedKey(key: string): QuotedKey {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    const json = JSON.stringify(key);
    const cef = escapeExtensionValue(json) + ':';
    quoted = { pieces: ['{' + cef, '{' + cef + '"', ',' + cef, ',' + cef + '"', '",' + cef, '",' + cef + '"'], rawLength: json.length + 1, plain: '' };
    // Keys come from a small, schema-shaped set; a stream of odd keys must not grow this without end.
    if (quotedKeys.size >= 10_000) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

// The custom string pairs before their value: `cs1Label=realm cs1=`, fixed ASCII that needs no escape.
const CUSTOM_PREFIXES = CUSTOM_STRING_LABELS.map((label, index) => ` cs${index + 1}Label=${label} cs${index + 1}=`);

function custom(slot: number, value: string | undefined): string {
  return pair(CUSTOM_PREFIXES[slot]!, value, CEF_LIMITS.customString);
}

// The header is the same for many events: made once per options object (device) and event type
// (the catalog's signature, name and severity), with the `rt=` that follows, rather than written
// per event; so is the ` act=... outcome=...` that follows the time.
interface Device {
  vendor: string;
  product: string;
  version: string;
  prefix: string;
  users: Map<string, TypeStart>;
  admins: Map<string, Map<unknown, TypeStart>>;
}

/**
 * The constant pieces of the lines of one event type (a user event type, or an admin operation on
 * a resource type), without and with an error: one lookup an event where the catalog, the header
 * and the action pairs took one each.
 */
interface TypeStart {
  headers: readonly [Header, Header];
  actions: readonly [string, string];
}

/** A header with `rt=`, and the same followed by the leading digits (the millions) of the time written with it last. */
interface Header {
  text: string;
  millions: number;
  withMillions: string;
}
const devices = new WeakMap<ResolvedCefOptions, Device>();
// The device of the options of the last line: a formatter has one, so the WeakMap is rarely asked.
let lastOptions: ResolvedCefOptions | undefined;
let lastDevice: Device | undefined;
function deviceOf(options: ResolvedCefOptions): Device {
  const cached = options === lastOptions ? lastDevice : devices.get(options);
  // Compared with the raw values, so options changed in place still get their own header.
  if (cached && cached.vendor === options.vendor && cached.product === options.product && cached.version === options.version) {
    lastOptions = options;
    lastDevice = cached;
    return cached;
  }
  const prefix =
    'CEF:0|' +
    escapeHeaderField(headerText(options.vendor, CEF_LIMITS.vendor)) + '|' +
    escapeHeaderField(headerText(options.product, CEF_LIMITS.product)) + '|' +
    escapeHeaderField(headerText(options.version, CEF_LIMITS.version)) + '|';
  const device: Device = { vendor: options.vendor, product: options.product, version: options.version, prefix, users: new Map(), admins: new Map() };
  devices.set(options, device);
  lastOptions = options;
  lastDevice = device;
  return device;
}

// Event types come from the source: a stream of odd ones must not grow the caches without end.
const MAX_CACHED_TYPES = 10_000;

function userStart(device: Device, type: string): TypeStart {
  let start = device.users.get(type);
  if (start === undefined) {
    const failed = type.endsWith('_ERROR');
    start = {
      headers: [headerOf(device, describeUserEvent(type, false)), headerOf(device, describeUserEvent(type, true))],
      actions: [actionPairs(type, failed), actionPairs(type, true)],
    };
    if (device.users.size >= MAX_CACHED_TYPES) device.users.clear();
    device.users.set(type, start);
  }
  return start;
}

function adminStart(device: Device, operationType: string, resourceType: string | null | undefined): TypeStart {
  let operation = device.admins.get(operationType);
  if (operation === undefined) {
    if (device.admins.size >= MAX_CACHED_TYPES) device.admins.clear();
    operation = new Map();
    device.admins.set(operationType, operation);
  }
  let start = operation.get(resourceType);
  if (start === undefined) {
    start = {
      headers: [headerOf(device, describeAdminEvent(operationType, resourceType, false)), headerOf(device, describeAdminEvent(operationType, resourceType, true))],
      actions: [actionPairs(operationType, false), actionPairs(operationType, true)],
    };
    if (operation.size >= MAX_CACHED_TYPES) operation.clear();
    operation.set(resourceType, start);
  }
  return start;
}

/** The header of the line and `rt=`, where its extension starts. */
function headerOf(device: Device, description: EventDescription): Header {
  const text =
    device.prefix +
    escapeHeaderField(headerText(description.signatureId, CEF_LIMITS.signatureId)) + '|' +
    escapeHeaderField(headerText(description.name, CEF_LIMITS.name)) + '|' + description.severity + '|rt=';
  return { text, millions: -1, withMillions: '' };
}

// '000' to '999', the last six digits of a time in two pieces.
const THREE_DIGITS = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));

/**
 * The header and `rt=<time>`, the text `String(time)` gives. A time in milliseconds is past 2^31,
 * a double to V8: `String(time)` missed the number-string cache for every event and converted it
 * in the runtime, the dearest step of the line. Its leading digits change every 1,000 seconds, so
 * they are kept with the header; the last six come from a table.
 */
function headerWithTime(header: Header, time: number): string {
  // 1e6 and up, so the leading digits are never empty; below 2^53, so the division is exact.
  if (!Number.isInteger(time) || time < 1e6 || time > Number.MAX_SAFE_INTEGER) return header.text + String(time);
  const millions = Math.floor(time / 1e6);
  const rest = time - millions * 1e6;
  if (millions !== header.millions) {
    header.millions = millions;
    header.withMillions = header.text + String(millions);
  }
  const thousands = Math.floor(rest / 1000);
  return header.withMillions + (THREE_DIGITS[thousands]! + THREE_DIGITS[rest - thousands * 1000]!);
}

/** ` act=<type> outcome=<success|failure>`. */
function actionPairs(act: string, failed: boolean): string {
  return pair(' act=', act, CEF_LIMITS.act) + pair(' outcome=', failed ? 'failure' : 'success', CEF_LIMITS.outcome);
}

// `cs1` (the realm) of the last realm seen: one realm per batch.
let realmSeen: string | undefined;
let realmPair = '';
function realmCustom(realm: string): string {
  if (realm !== realmSeen) {
    realmPair = custom(0, realm);
    realmSeen = realm;
  }
  return realmPair;
}

function userLine(event: UserEvent, context: FormatContext, options: ResolvedCefOptions): string {
  const error = text(event.error);
  const details = event.details ?? undefined;
  const username = text(details?.username);
  const src = address(event.ipAddress);
  // `rt` is always there (the time is a number), so every later pair starts with its space.
  const start = userStart(deviceOf(options), event.type);
  const failed = error === undefined ? 0 : 1;
  let line = headerWithTime(start.headers[failed], event.time);
  line += pair(' externalId=', text(event.id), CEF_LIMITS.externalId);
  line += start.actions[failed];
  line += pair(' reason=', error, CEF_LIMITS.reason);
  line += pair(' src=', src, Number.MAX_SAFE_INTEGER);
  line += pair(' duser=', username, CEF_LIMITS.duser);
  line += pair(' duid=', text(event.userId), CEF_LIMITS.duid);
  line += realmCustom(context.realm);
  line += custom(1, text(event.clientId));
  line += custom(2, text(event.sessionId));
  line += custom(3, text(details?.auth_method));
  if (options.extraDetails === 'cs') {
    const usedDetails: Used = { mapped: DETAILS_MAPPED, alsoA: username === undefined ? undefined : 'username', alsoB: undefined };
    const usedMembers: Used = { mapped: USER_MAPPED, alsoA: src === undefined ? undefined : 'ipAddress', alsoB: event.realmId === context.realm ? 'realmId' : undefined };
    line += remainderText(event, usedMembers, 'details', usedDetails) ?? custom(5, remainderJson(event, usedMembers, 'details', remainderJson(details, usedDetails)));
  }
  return line;
}

const DETAILS_MAPPED = new Set(['auth_method']);
const USER_MAPPED = new Set(['id', 'time', 'type', 'clientId', 'userId', 'sessionId', 'error', 'details']);
const ADMIN_MAPPED = new Set(['id', 'time', 'operationType', 'resourceType', 'resourcePath', 'error', 'authDetails']);
const AUTH_MAPPED = new Set(['userId', 'username', 'clientId']);

function adminLine(event: AdminEvent, context: FormatContext, options: ResolvedCefOptions): string {
  const error = text(event.error);
  const auth: Rest = event.authDetails ?? {};
  const src = address(auth.ipAddress);
  const userId = text(auth.userId);
  const start = adminStart(deviceOf(options), event.operationType, event.resourceType);
  const failed = error === undefined ? 0 : 1;
  let line = headerWithTime(start.headers[failed], event.time);
  line += pair(' externalId=', text(event.id), CEF_LIMITS.externalId);
  line += start.actions[failed];
  line += pair(' reason=', error, CEF_LIMITS.reason);
  line += pair(' src=', src, Number.MAX_SAFE_INTEGER);
  // Keycloak records only the acting user's id; a username, where a newer server adds one, wins.
  line += pair(' suser=', text(auth.username) ?? userId, CEF_LIMITS.suser);
  line += pair(' suid=', userId, CEF_LIMITS.suid);
  line += pair(' request=', text(event.resourcePath), CEF_LIMITS.request);
  line += realmCustom(context.realm);
  line += custom(1, text(auth.clientId));
  line += custom(4, text(event.resourceType));
  if (options.extraDetails === 'cs') {
    const usedAuth: Used = { mapped: AUTH_MAPPED, alsoA: src === undefined ? undefined : 'ipAddress', alsoB: undefined };
    const usedMembers: Used = { mapped: ADMIN_MAPPED, alsoA: undefined, alsoB: event.realmId === context.realm ? 'realmId' : undefined };
    line += remainderText(event, usedMembers, 'authDetails', usedAuth) ?? custom(5, remainderJson(event, usedMembers, 'authDetails', remainderJson(auth, usedAuth)));
  }
  return line;
}

/**
 * One event as one CEF ext, byte-identical to `cefLine(cefFields(event, context, options))`:
 * the same fields in the same order, truncated on the raw value and then escaped.
 */
export function writeCefLine(event: MpasEvent, context: FormatContext, options: ResolvedCefOptions): string {
  return context.stream === 'user' ? userLine(event as UserEvent, context, options) : adminLine(event as AdminEvent, context, options);
}
