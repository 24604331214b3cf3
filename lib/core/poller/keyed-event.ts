import { eventKey } from '../events/event-key.js';
import { legacyEventKey } from '../events/legacy-key.js';
import type { MpasEvent } from '../events/event-schemas.js';
import type { StreamPosition } from '../cursor/cursor-store.js';

/** An event with its key computed once: legacy keys are hashes, too costly to compute twice. */
export interface KeyedEvent {
  event: MpasEvent;
  key: string;
}

/** Pairs each event with its key. */
export function withKeys(events: readonly MpasEvent[]): KeyedEvent[] {
  return events.map((event) => ({ event, key: eventKey(event) }));
}

/** The events with their first occurrence of each key: a server may send one row twice. */
export function distinctKeys(items: readonly KeyedEvent[]): KeyedEvent[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.key) && Boolean(seen.add(item.key)));
}

/**
 * Whether the cursor already covers an event: older than its time, or at its time and among the
 * boundary keys.
 */
export function isCovered(position: StreamPosition, boundary: ReadonlySet<string>, item: KeyedEvent): boolean {
  if (item.event.time !== position.time) return item.event.time < position.time;
  if (boundary.has(item.key)) return true;
  // Written before an upgrade in place to Keycloak >= 26.2, the boundary holds the hashes the
  // same events had while the server sent no id.
  return position.mode === 'legacy' && item.key === item.event.id && boundary.has(legacyEventKey(item.event));
}

/**
 * The position after enqueueing `chunk` (ascending by time, every event not yet covered):
 * its last millisecond becomes the time, and the keys of the chunk's events at that
 * millisecond (plus the old boundary, when the time did not move) become the boundary.
 */
export function advancePosition(position: StreamPosition, chunk: readonly KeyedEvent[], now: number): StreamPosition {
  const last = chunk.at(-1);
  if (!last) return position;
  const time = last.event.time;
  const boundary = time === position.time ? new Set(position.boundary) : new Set<string>();
  for (let index = chunk.length - 1; index >= 0 && chunk[index]!.event.time === time; index--) {
    boundary.add(chunk[index]!.key);
  }
  return { time, boundary: [...boundary], mode: position.mode, updatedAt: now };
}
