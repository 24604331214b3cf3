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
 * to one string that is flattened once. `cefFields` stays the readable reference (the archive uses its fields),
 * and a property test holds the two byte-equal.
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

// The line being written. Pieces are appended to it, and it is flattened once at the end: left as
// a rope of small strings, it would survive a garbage collection or two until the sink reads it.
let line = '';

/** `prefix` (` key=`) and the value, when non-empty: truncated on the raw text, then escaped. */
function pair(prefix: string, value: string | undefined, maxLength: number): void {
  if (value === undefined || value.length === 0) return;
  line += prefix + escapeExtensionValue(truncate(value, maxLength));
}

/** The line as one flat string: reading a character of a rope makes V8 flatten it in place. */
function finished(): string {
  const done = line;
  line = '';
  done.charCodeAt(0);
  return done;
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

/**
 * Writes `cs6` (the remainder JSON of `record`, with the remainder of its member `nestedKey`
 * nested) straight into the line, as `custom(5, remainderJson(...))` would, without building the
 * JSON text first: each key and value is JSON-quoted and CEF-escaped on its own, which equals
 * escaping the whole, since both escapes replace characters one by one. Writes nothing and
 * returns false where the pieces could differ from the whole: a nested object or array (whose
 * keys need sorting at every depth), a `__proto__` member, or text long enough to be truncated.
 */
function writeRemainder(record: Rest, used: Used, nestedKey: string, nestedUsed: Used): boolean {
  const nested = record[nestedKey];
  const nestedKeys = nested === null || nested === undefined ? undefined : keptKeys(nested as Rest, nestedUsed, undefined);
  if (nestedKeys === null) return false;
  const keys = keptKeys(record, used, nestedKeys === undefined ? undefined : nestedKey);
  if (keys === null) return false;
  if (keys === undefined) return true;
  const before = line;
  line += REMAINDER_PREFIX;
  const rawLength = writeMembers(record, keys, nestedKey, nestedKeys, true);
  if (rawLength > CEF_LIMITS.customString) {
    line = before;
    return false;
  }
  return true;
}

/** The sorted keys `remainderJson` keeps, `extraKey` added; null where `writeRemainder` must not go. */
function keptKeys(record: Rest, used: Used, extraKey: string | undefined): string[] | undefined | null {
  let keys: string[] | undefined;
  // `for...in` rather than Object.keys: no array per record, and V8 reads each value through the
  // enumeration cache. Records are parsed JSON or copies of it, with nothing enumerable inherited.
  for (const key in record) {
    const value = record[key];
    if (value === null || value === undefined || isUsed(key, used)) continue;
    if (typeof value === 'object' || key === '__proto__') return null;
    insertSorted((keys ??= []), key);
  }
  if (extraKey !== undefined) insertSorted((keys ??= []), extraKey);
  return keys;
}

/** Inserts `key` in order (UTF-16 code units, as `sort()` orders): a record keeps a handful of keys. */
function insertSorted(keys: string[], key: string): void {
  let at = keys.length;
  keys.push(key);
  while (at > 0 && keys[at - 1]! > key) {
    keys[at] = keys[at - 1]!;
    at -= 1;
  }
  keys[at] = key;
}

/** Pushes `{"key":value,...}` escaped for CEF; returns the length of the JSON before escaping. */
function writeMembers(record: Rest, keys: readonly string[], nestedKey: string | undefined, nestedKeys: readonly string[] | undefined, opened = false): number {
  let rawLength = 2 + keys.length;
  if (!opened) line += '{';
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index]!;
    const quoted = quotedKey(key);
    line += index > 0 ? quoted.cefAfterComma : quoted.cef;
    rawLength += quoted.rawLength;
    const value = record[key];
    rawLength += key === nestedKey ? writeMembers(value as Rest, nestedKeys!, undefined, undefined) : writeValue(value);
  }
  line += '}';
  return rawLength;
}

function writeValue(value: unknown): number {
  if (typeof value !== 'string') {
    // A number or a boolean: JSON has no character in it that CEF escapes.
    const json = JSON.stringify(value);
    line += json;
    return json.length;
  }
  if (isPlain(value)) {
    line += '"' + value + '"';
    return value.length + 2;
  }
  const json = JSON.stringify(value);
  line += escapeExtensionValue(json);
  return json.length;
}

// What JSON (quote, backslash, control characters, surrogates) or CEF (`=`, backslash) escapes.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const ESCAPED_BY_JSON_OR_CEF = /["\\=\u0000-\u001f\ud800-\udfff]/;

/** True when neither JSON nor CEF escapes anything in `text`. */
function isPlain(text: string): boolean {
  return !ESCAPED_BY_JSON_OR_CEF.test(text);
}

/** A member's key as JSON with its colon, escaped for CEF, and its length before escaping. */
interface QuotedKey {
  cef: string;
  /** `cef` after the comma that separates it from the member before. */
  cefAfterComma: string;
  rawLength: number;
}
const quotedKeys = new Map<string, QuotedKey>();
function quotedKey(key: string): QuotedKey {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    const json = JSON.stringify(key);
    const cef = escapeExtensionValue(json) + ':';
    quoted = { cef, cefAfterComma: ',' + cef, rawLength: json.length + 1 };
    // Keys come from a small, schema-shaped set; a stream of odd keys must not grow this without end.
    if (quotedKeys.size >= 10_000) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

// The custom string pairs before their value: `cs1Label=realm cs1=`, fixed ASCII that needs no escape.
const CUSTOM_PREFIXES = CUSTOM_STRING_LABELS.map((label, index) => ` cs${index + 1}Label=${label} cs${index + 1}=`);

// `cs6` opened: its prefix and the remainder object's brace, written as one piece.
const REMAINDER_PREFIX = CUSTOM_PREFIXES[5]! + '{';

function custom(slot: number, value: string | undefined): void {
  pair(CUSTOM_PREFIXES[slot]!, value, CEF_LIMITS.customString);
}

// The header parts are the same for many events: made once per options object (device) and per
// catalog entry (signature, name, severity), rather than truncated and escaped per event.
interface Device {
  vendor: string;
  product: string;
  version: string;
  prefix: string;
}
const devices = new WeakMap<ResolvedCefOptions, Device>();
function devicePrefix(options: ResolvedCefOptions): string {
  const cached = devices.get(options);
  // Compared with the raw values, so options changed in place still get their own header.
  if (cached && cached.vendor === options.vendor && cached.product === options.product && cached.version === options.version) return cached.prefix;
  const prefix =
    'CEF:0|' +
    escapeHeaderField(headerText(options.vendor, CEF_LIMITS.vendor)) + '|' +
    escapeHeaderField(headerText(options.product, CEF_LIMITS.product)) + '|' +
    escapeHeaderField(headerText(options.version, CEF_LIMITS.version)) + '|';
  devices.set(options, { vendor: options.vendor, product: options.product, version: options.version, prefix });
  return prefix;
}

const descriptions = new WeakMap<EventDescription, string>();
function describedPart(description: EventDescription): string {
  let part = descriptions.get(description);
  if (part === undefined) {
    part =
      escapeHeaderField(headerText(description.signatureId, CEF_LIMITS.signatureId)) + '|' +
      escapeHeaderField(headerText(description.name, CEF_LIMITS.name)) + '|' + description.severity + '|';
    descriptions.set(description, part);
  }
  return part;
}

function userLine(event: UserEvent, context: FormatContext, options: ResolvedCefOptions): string {
  const error = text(event.error);
  const details = event.details ?? undefined;
  const username = text(details?.username);
  const src = address(event.ipAddress);
  // `rt` is always there (the time is a number), so every later pair starts with its space.
  line = devicePrefix(options) + describedPart(describeUserEvent(event.type, error !== undefined)) + 'rt=' + String(event.time);
  pair(' externalId=', text(event.id), CEF_LIMITS.externalId);
  pair(' act=', event.type, CEF_LIMITS.act);
  pair(' outcome=', error !== undefined || event.type.endsWith('_ERROR') ? 'failure' : 'success', CEF_LIMITS.outcome);
  pair(' reason=', error, CEF_LIMITS.reason);
  pair(' src=', src, Number.MAX_SAFE_INTEGER);
  pair(' duser=', username, CEF_LIMITS.duser);
  pair(' duid=', text(event.userId), CEF_LIMITS.duid);
  custom(0, context.realm);
  custom(1, text(event.clientId));
  custom(2, text(event.sessionId));
  custom(3, text(details?.auth_method));
  if (options.extraDetails !== 'cs') return finished();
  const usedDetails: Used = { mapped: DETAILS_MAPPED, alsoA: username === undefined ? undefined : 'username', alsoB: undefined };
  const usedMembers: Used = { mapped: USER_MAPPED, alsoA: src === undefined ? undefined : 'ipAddress', alsoB: event.realmId === context.realm ? 'realmId' : undefined };
  if (!writeRemainder(event, usedMembers, 'details', usedDetails)) custom(5, remainderJson(event, usedMembers, 'details', remainderJson(details, usedDetails)));
  return finished();
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
  line = devicePrefix(options) + describedPart(describeAdminEvent(event.operationType, event.resourceType, error !== undefined)) + 'rt=' + String(event.time);
  pair(' externalId=', text(event.id), CEF_LIMITS.externalId);
  pair(' act=', event.operationType, CEF_LIMITS.act);
  pair(' outcome=', error !== undefined ? 'failure' : 'success', CEF_LIMITS.outcome);
  pair(' reason=', error, CEF_LIMITS.reason);
  pair(' src=', src, Number.MAX_SAFE_INTEGER);
  // Keycloak records only the acting user's id; a username, where a newer server adds one, wins.
  pair(' suser=', text(auth.username) ?? userId, CEF_LIMITS.suser);
  pair(' suid=', userId, CEF_LIMITS.suid);
  pair(' request=', text(event.resourcePath), CEF_LIMITS.request);
  custom(0, context.realm);
  custom(1, text(auth.clientId));
  custom(4, text(event.resourceType));
  if (options.extraDetails !== 'cs') return finished();
  const usedAuth: Used = { mapped: AUTH_MAPPED, alsoA: src === undefined ? undefined : 'ipAddress', alsoB: undefined };
  const usedMembers: Used = { mapped: ADMIN_MAPPED, alsoA: undefined, alsoB: event.realmId === context.realm ? 'realmId' : undefined };
  if (!writeRemainder(event, usedMembers, 'authDetails', usedAuth)) custom(5, remainderJson(event, usedMembers, 'authDetails', remainderJson(auth, usedAuth)));
  return finished();
}

/**
 * One event as one CEF ext, byte-identical to `cefLine(cefFields(event, context, options))`:
 * the same fields in the same order, truncated on the raw value and then escaped.
 */
export function writeCefLine(event: MpasEvent, context: FormatContext, options: ResolvedCefOptions): string {
  return context.stream === 'user' ? userLine(event as UserEvent, context, options) : adminLine(event as AdminEvent, context, options);
}
