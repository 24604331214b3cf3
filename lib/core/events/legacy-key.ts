import { eventKey } from './event-key.js';
import type { MpasEvent } from './event-schemas.js';

/**
 * The key the event had when a Keycloak older than 26.2 served it: `h:` + the hash of its
 * canonical JSON without an `id` (what `eventKey` computes for an event that has none).
 *
 * Why it exists: after an in-place upgrade to Keycloak >= 26.2 the server sends an `id` for the
 * same stored events it served without one before, so `eventKey` of a fresh read is the id while
 * the archive and the SIEM hold the hash. Comparing both keys tells "delivered before the
 * upgrade" from "never delivered". An event without an `id` gets its ordinary key.
 */
export function legacyEventKey(event: MpasEvent): string {
  if (event.id === undefined) return eventKey(event);
  // canonicalJson drops undefined members, so this hashes exactly the id-less event.
  return eventKey({ ...event, id: undefined });
}

/**
 * Every key under which the event may have been delivered: its key, and for an event with an
 * `id` also its legacy hash key (see {@link legacyEventKey}). The first is the current key.
 */
export function eventKeyCandidates(event: MpasEvent): string[] {
  const key = eventKey(event);
  if (typeof event.id !== 'string' || event.id.length === 0) return [key];
  return [key, legacyEventKey(event)];
}
