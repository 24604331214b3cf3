import { isIP } from 'node:net';
import type { AdminEvent, MpasEvent, UserEvent } from '../mpas/event-schemas.js';
import { canonicalJson } from '../mpas/event-key.js';
import { describeAdminEvent, describeUserEvent } from '../pipeline/event-catalog.js';
import type { EventDescription } from '../pipeline/event-catalog.js';
import { escapeExtensionValue, escapeHeaderField, headerText, truncate } from './cef-escape.js';
import { CUSTOM_STRING_LABELS } from './cef-fields.js';
import { CEF_LIMITS } from './cef-options.js';
import type { ResolvedCefOptions } from './cef-options.js';
import type { FormatContext } from './formatter.js';

/*
 * The forwarder's CEF hot path: the line `cefLine(cefFields(...))` gives, written in one pass with
 * no intermediate field list, no remainder objects and no per-event closures. `cefFields` stays the
 * readable reference (the archive uses its fields), and a property test holds the two byte-equal.
 */

type Rest = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function address(value: unknown): string | undefined {
  return typeof value === 'string' && isIP(value) !== 0 && !value.includes('%') ? value : undefined;
}

/** `ext` and `key=value` for a non-empty value, truncated on the raw text, then escaped. */
function pair(ext: string, key: string, value: string | undefined, maxLength: number): string {
  if (value === undefined || value.length === 0) return ext;
  return ext + (ext.length > 0 ? ' ' : '') + key + '=' + escapeExtensionValue(truncate(value, maxLength));
}

/**
 * The members of `record` that are neither excluded nor null, as `"key":json` in sorted order, plus
 * `extra` (already JSON) under `extraKey`; undefined when the mapping leaves no remainder at all.
 * Mirrors `remainder` + spread + `canonicalJson` of cef-fields: a `__proto__` member never became
 * an own member of the remainder there, so it is skipped here, though it still opens the remainder.
 */
function remainderJson(record: unknown, exclude: (key: string) => boolean, extraKey?: string, extra?: string): string | undefined {
  let keys: string[] | undefined;
  let opened = false;
  if (record !== null && typeof record === 'object') {
    for (const key of Object.keys(record)) {
      const value = (record as Rest)[key];
      if (value === null || value === undefined || exclude(key)) continue;
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

// The custom string pairs before their value: `cs1Label=realm cs1=`, fixed ASCII that needs no escape.
const CUSTOM_PREFIXES = CUSTOM_STRING_LABELS.map((label, index) => `cs${index + 1}Label=${label} cs${index + 1}=`);

function custom(ext: string, slot: number, value: string | undefined): string {
  if (value === undefined || value.length === 0) return ext;
  return ext + (ext.length > 0 ? ' ' : '') + CUSTOM_PREFIXES[slot] + escapeExtensionValue(truncate(value, CEF_LIMITS.customString));
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
  const header = devicePrefix(options) + describedPart(describeUserEvent(event.type, error !== undefined));
  let ext = pair('', 'rt', String(event.time), Number.MAX_SAFE_INTEGER);
  ext = pair(ext, 'externalId', text(event.id), CEF_LIMITS.externalId);
  ext = pair(ext, 'act', event.type, CEF_LIMITS.act);
  ext = pair(ext, 'outcome', error !== undefined || event.type.endsWith('_ERROR') ? 'failure' : 'success', CEF_LIMITS.outcome);
  ext = pair(ext, 'reason', error, CEF_LIMITS.reason);
  ext = pair(ext, 'src', src, Number.MAX_SAFE_INTEGER);
  ext = pair(ext, 'duser', username, CEF_LIMITS.duser);
  ext = pair(ext, 'duid', text(event.userId), CEF_LIMITS.duid);
  ext = custom(ext, 0, context.realm);
  ext = custom(ext, 1, text(event.clientId));
  ext = custom(ext, 2, text(event.sessionId));
  ext = custom(ext, 3, text(details?.auth_method));
  if (options.extraDetails !== 'cs') return header + ext;
  const restDetails = remainderJson(details, (key) => (key === 'username' && username !== undefined) || key === 'auth_method');
  const rest = remainderJson(event, (key) => USER_MAPPED.has(key) || (key === 'ipAddress' && src !== undefined) || (key === 'realmId' && event.realmId === context.realm), 'details', restDetails);
  return header + custom(ext, 5, rest);
}

const USER_MAPPED = new Set(['id', 'time', 'type', 'clientId', 'userId', 'sessionId', 'error', 'details']);
const ADMIN_MAPPED = new Set(['id', 'time', 'operationType', 'resourceType', 'resourcePath', 'error', 'authDetails']);
const AUTH_MAPPED = new Set(['userId', 'username', 'clientId']);

function adminLine(event: AdminEvent, context: FormatContext, options: ResolvedCefOptions): string {
  const error = text(event.error);
  const auth: Rest = event.authDetails ?? {};
  const src = address(auth.ipAddress);
  const userId = text(auth.userId);
  const header = devicePrefix(options) + describedPart(describeAdminEvent(event.operationType, event.resourceType, error !== undefined));
  let ext = pair('', 'rt', String(event.time), Number.MAX_SAFE_INTEGER);
  ext = pair(ext, 'externalId', text(event.id), CEF_LIMITS.externalId);
  ext = pair(ext, 'act', event.operationType, CEF_LIMITS.act);
  ext = pair(ext, 'outcome', error !== undefined ? 'failure' : 'success', CEF_LIMITS.outcome);
  ext = pair(ext, 'reason', error, CEF_LIMITS.reason);
  ext = pair(ext, 'src', src, Number.MAX_SAFE_INTEGER);
  // Keycloak records only the acting user's id; a username, where a newer server adds one, wins.
  ext = pair(ext, 'suser', text(auth.username) ?? userId, CEF_LIMITS.suser);
  ext = pair(ext, 'suid', userId, CEF_LIMITS.suid);
  ext = pair(ext, 'request', text(event.resourcePath), CEF_LIMITS.request);
  ext = custom(ext, 0, context.realm);
  ext = custom(ext, 1, text(auth.clientId));
  ext = custom(ext, 4, text(event.resourceType));
  if (options.extraDetails !== 'cs') return header + ext;
  const restAuth = remainderJson(auth, (key) => AUTH_MAPPED.has(key) || (key === 'ipAddress' && src !== undefined));
  const rest = remainderJson(event, (key) => ADMIN_MAPPED.has(key) || (key === 'realmId' && event.realmId === context.realm), 'authDetails', restAuth);
  return header + custom(ext, 5, rest);
}

/**
 * One event as one CEF ext, byte-identical to `cefLine(cefFields(event, context, options))`:
 * the same fields in the same order, truncated on the raw value and then escaped.
 */
export function writeCefLine(event: MpasEvent, context: FormatContext, options: ResolvedCefOptions): string {
  return context.stream === 'user' ? userLine(event as UserEvent, context, options) : adminLine(event as AdminEvent, context, options);
}
