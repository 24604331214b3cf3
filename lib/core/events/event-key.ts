import { createHash } from 'node:crypto';
import type { MpasEvent } from './event-schemas.js';

/**
 * The identity of an event, used for the cursor's boundary set, the batch id and the
 * receiver's duplicate checks. Keycloak >= 26.2 sends an `id`; older servers do not, and then
 * the key is a hash of the event's canonical JSON (keys sorted at every depth), so the same
 * event read twice, in any field order, gets the same key.
 */
export function eventKey(event: MpasEvent): string {
  if (typeof event.id === 'string' && event.id.length > 0) return event.id;
  return 'h:' + createHash('sha256').update(canonicalJson(event)).digest('base64url');
}

// What JSON.stringify escapes in a string: a quote, a backslash, control characters and (lone) surrogates.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`, without its cost for the usual text that has nothing to escape. */
function quoted(text: string): string {
  return NEEDS_JSON_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/**
 * JSON with object keys sorted at every depth; `undefined` members dropped as JSON.stringify does.
 * Recursive: it only ever meets events, whose nesting the page parser held within MAX_EVENT_DEPTH
 * (deeper ones are dead-lettered before they are keyed, redacted or formatted).
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((item) => canonicalJson(item ?? null)).join(',') + ']';
  const record = value as Record<string, unknown>;
  // A loop rather than filter/map/join: this runs per event in CEF details and hash redaction.
  const keys = Object.keys(record).sort();
  let text = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    text += (text.length > 1 ? ',' : '') + quoted(key) + ':' + canonicalJson(member);
  }
  return text + '}';
}
