import type { MpasEvent } from './event-schemas.js';

/**
 * An element of a page that is no usable event (malformed against the stream's schema, nesting
 * deeper than MAX_EVENT_DEPTH, not JSON, not an object), with why, and what of it may rest in a
 * dead-letter store (credentials are removed by the poller as for any admin event).
 */
export interface Rejection {
  reason: string;
  element: Record<string, unknown>;
}

/**
 * How a rejected element travels from the page to the dead-letter store: in its place among the
 * events of its chunk, as `{ id: key, time, rejected: { reason, element } }`. So it is ordered,
 * keyed, counted in the batch id and in the cursor's boundary like any event (a page read again
 * gives the same chunk, the same batch id and the same boundary: it is dead-lettered once), and
 * the forwarder, whose schema it fails by construction (no `type`, no `operationType`), dead-
 * letters it with the poller's reason. It can never reach a SIEM: it is no valid event.
 */
export function rejectedEvent(time: number, key: string, rejection: Rejection): MpasEvent {
  return { id: key, time, rejected: { reason: rejection.reason, element: rejection.element } } as unknown as MpasEvent;
}

/** The rejection a batch entry carries, when it is one that {@link rejectedEvent} made. */
export function rejectionOf(value: unknown): Rejection | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const rejected = (value as { rejected?: unknown }).rejected;
  if (typeof rejected !== 'object' || rejected === null) return undefined;
  const { reason, element } = rejected as { reason?: unknown; element?: unknown };
  if (typeof reason !== 'string' || typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
  return { reason, element: element as Record<string, unknown> };
}

/** Replaces the rejection's element (with credentials removed). */
export function withElement(event: MpasEvent, element: Record<string, unknown>): MpasEvent {
  const rejection = rejectionOf(event);
  if (rejection === undefined) return event;
  return { ...event, rejected: { reason: rejection.reason, element } } as unknown as MpasEvent;
}
