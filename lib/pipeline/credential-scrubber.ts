import type { AdminEvent } from '../mpas/event-schemas.js';

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
