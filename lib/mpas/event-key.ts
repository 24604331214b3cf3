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

/** JSON with object keys sorted at every depth; `undefined` members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((item) => canonicalJson(item ?? null)).join(',') + ']';
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => JSON.stringify(key) + ':' + canonicalJson(record[key]));
  return '{' + members.join(',') + '}';
}
