import type { AdminEvent } from '../mpas/event-schemas.js';
import { jsonTextDepth } from '../mpas/json-array-slices.js';
import { MAX_EVENT_DEPTH } from '../mpas/page-limits.js';

/** What a credential value becomes. */
export const REMOVED = '<removed>';

/** What a `representation` that is not JSON becomes: a secret could hide anywhere in it. */
export const REMOVED_NOT_JSON = '<removed: not JSON>';

// Keys compared lower-cased with `_` and `-` dropped, so `client_secret`, `clientSecret` and
// `Client-Secret` are one name.
const EXACT_NAMES = new Set([
  'salt',
  'hashedsaltedvalue',
  'secretdata',
  'credentialdata',
  'privatekey',
  'bindcredential',
  'token',
]);
// Any key containing these carries a credential: newPassword, smtpPassword, clientSecret, privateKeyPem...
const CONTAINED_NAMES = ['password', 'secret', 'privatekey'];
// accessToken, refreshToken, idToken, registrationAccessToken...; `tokenLifespan` is not a token.
const TOKEN_SUFFIX = 'token';
// Keycloak's CredentialRepresentation: `{ "type": "password", "value": "..." }`.
const CREDENTIAL_TYPES = new Set(['password', 'secret', 'otp', 'totp', 'hotp']);

/**
 * What a `representation` nesting deeper than MAX_EVENT_DEPTH becomes: it is never parsed nor
 * walked (the walk is recursive), and its event is dead-lettered (see batchForChunk).
 */
export function removedTooDeep(depth: number): string {
  return `<removed: nests ${depth} levels, more than the limit ${MAX_EVENT_DEPTH}>`;
}

/** The depth of a representation that {@link removedTooDeep} replaced, read back from its text. */
export function tooDeepDepth(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^<removed: nests (\d+) levels, more than the limit \d+>$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Removes credentials from an element of a page that is no valid event (it goes to the dead-
 * letter store, see rejected-event.ts): every credential-named member at any depth (its depth is
 * within MAX_EVENT_DEPTH, checked by the page parser), and inside `representation` when it is a
 * string, as for an admin event.
 */
export function scrubUntrusted(element: Record<string, unknown>): Record<string, unknown> {
  const scrubbed = scrubValue(element, false) as Record<string, unknown>;
  const representation = scrubbed['representation'];
  if (typeof representation !== 'string') return scrubbed;
  const clean = scrubRepresentation(representation);
  if (clean === representation) return scrubbed;
  const copy = copyObject(scrubbed);
  Object.defineProperty(copy, 'representation', { value: clean, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Whether a member named `key` holds a credential (case-, `_`- and `-`-insensitive). */
export function isCredentialKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[_-]/g, '');
  if (EXACT_NAMES.has(name) || name.endsWith(TOKEN_SUFFIX)) return true;
  return CONTAINED_NAMES.some((part) => name.includes(part));
}

/**
 * Removes credential values from an admin event before it rests anywhere (DESIGN.md, step 3 of
 * the poll): Keycloak puts the admin request body, plaintext passwords among it, into
 * `representation`. Returns the same object when nothing was found, a copy otherwise.
 */
export function scrubCredentials(event: AdminEvent): AdminEvent {
  const representation = scrubRepresentation(event.representation);
  const details = scrubDetails(event.details);
  if (representation === event.representation && details === event.details) return event;
  // Only the changed members are set: an absent member must stay absent, not become undefined.
  const copy: AdminEvent = { ...event };
  if (representation !== event.representation) copy.representation = representation;
  if (details !== event.details) copy.details = details;
  return copy;
}

function scrubRepresentation(text: string | null | undefined): string | null | undefined {
  // Nothing to hide in an empty body.
  if (typeof text !== 'string' || text.trim().length === 0) return text;
  // Measured before anything recursive (scrubValue, JSON.stringify) meets it.
  const depth = jsonTextDepth(text);
  if (depth > MAX_EVENT_DEPTH) return removedTooDeep(depth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return REMOVED_NOT_JSON;
  }
  const scrubbed = scrubValue(parsed, false);
  return scrubbed === parsed ? text : JSON.stringify(scrubbed);
}

function scrubDetails(details: AdminEvent['details']): AdminEvent['details'] {
  if (details === null || details === undefined) return details;
  let copy: Record<string, string | null> | undefined;
  for (const [key, value] of Object.entries(details)) {
    if (value !== null && value !== REMOVED && isCredentialKey(key)) {
      copy ??= { ...details };
      copy[key] = REMOVED;
    }
  }
  return copy ?? details;
}

/**
 * Walks a parsed JSON value, copying only what changes. `inCredentials` is true for the
 * elements of a `credentials` array, whose `value` is a secret whatever their `type` says.
 */
function scrubValue(value: unknown, inCredentials: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return scrubArray(value, false);
  return scrubObject(value as Record<string, unknown>, inCredentials);
}

function scrubArray(items: unknown[], inCredentials: boolean): unknown[] {
  let copy: unknown[] | undefined;
  items.forEach((item, index) => {
    const scrubbed = scrubValue(item, inCredentials);
    if (scrubbed !== item) {
      copy ??= items.slice();
      copy[index] = scrubbed;
    }
  });
  return copy ?? items;
}

function scrubObject(object: Record<string, unknown>, inCredentials: boolean): Record<string, unknown> {
  const type = object['type'];
  const valueIsSecret = inCredentials || (typeof type === 'string' && CREDENTIAL_TYPES.has(type.toLowerCase()));
  let copy: Record<string, unknown> | undefined;
  for (const [key, member] of Object.entries(object)) {
    let scrubbed: unknown;
    if (isSecretMember(key, member, valueIsSecret)) {
      scrubbed = REMOVED;
    } else if (key.toLowerCase() === 'credentials' && Array.isArray(member)) {
      scrubbed = scrubArray(member, true);
    } else {
      scrubbed = scrubValue(member, false);
    }
    if (scrubbed !== member) {
      // defineProperty, not assignment: a JSON key "__proto__" must stay an own member.
      copy ??= copyObject(object);
      Object.defineProperty(copy, key, { value: scrubbed, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? object;
}

function isSecretMember(key: string, member: unknown, valueIsSecret: boolean): boolean {
  // Booleans and nulls carry no secret (`resetPasswordAllowed: true` stays readable).
  if (member === null || typeof member === 'boolean' || member === REMOVED) return false;
  if (valueIsSecret && key.toLowerCase() === 'value') return true;
  return isCredentialKey(key);
}

function copyObject(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(object)) {
    Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
