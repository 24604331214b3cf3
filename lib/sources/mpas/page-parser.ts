import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { isCanonicalAdminEvent, isCanonicalUserEvent } from '../../core/events/event-fast-check.js';
import { adminEventSchema, userEventSchema } from '../../core/events/event-schemas.js';
import type { MpasEvent, Stream } from '../../core/events/event-schemas.js';
import { MpasResponseError } from './errors.js';
import { jsonArrayElements } from './json-array-slices.js';
import { MAX_EVENT_DEPTH } from './page-limits.js';
import { rejectedEvent } from '../../core/events/rejected-event.js';

const utf8 = new TextDecoder();
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf] as const;

/** Where a page came from, and the time its read starts at (a modern read's `dateFrom`). */
export interface PageOrigin {
  realm: string;
  stream: Stream;
  /** Epoch ms; placed on elements without a usable `time` when no neighbour has one. */
  fallbackTime?: number;
}

/**
 * Turns the body of a 200 from an events endpoint into its events, one element at a time. An
 * element that is no usable event (malformed against the stream's schema, nesting deeper than
 * {@link MAX_EVENT_DEPTH}, not JSON, not an object) does not take its page down: it comes back
 * in its place as a {@link rejectedEvent} with its reason, which the walk orders, keys and
 * commits like any event and the forwarder dead-letters, so the rest of the page and the stream
 * go on. Only a body that is not a JSON array at all is refused whole (nothing in it can be told
 * apart), as is a page whose only elements have no usable time and no `fallbackTime` to place
 * them at.
 * @throws MpasResponseError naming what is wrong, e.g. `events: the body is not JSON`.
 */
export function parseEventPage(body: string | Uint8Array, where: PageOrigin): MpasEvent[] {
  const route = where.stream === 'user' ? 'events' : 'admin-events';
  let bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  // Response.text() drops a byte order mark; so does this.
  if (BYTE_ORDER_MARK.every((byte, index) => bytes[index] === byte)) bytes = bytes.subarray(BYTE_ORDER_MARK.length);
  const elements = jsonArrayElements(bytes);
  if (elements === undefined) throw notAnArray(bytes, where, route);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isCanonical = where.stream === 'user' ? isCanonicalUserEvent : isCanonicalAdminEvent;
  const events: MpasEvent[] = new Array(elements.length / 3);
  let unplaced: number[] | undefined;
  for (let index = 0; index < elements.length; index += 3) {
    const start = elements[index]!;
    const end = elements[index + 1]!;
    const depth = elements[index + 2]!;
    if (depth <= MAX_EVENT_DEPTH) {
      // The usual case: parsed object by object (a whole page decoded at once is one string of
      // half a megabyte, which costs more than parsing it: 3.5-3.9 against 2.2-2.4 ms per page).
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(buffer.toString('utf8', start, end));
      } catch {
        parsed = false;
      }
      if (parsed && isCanonical(value)) {
        events[index / 3] = value;
        continue;
      }
      const judged = judge(parsed, value, where.stream, buffer.subarray(start, end));
      events[index / 3] = judged.event;
      if (judged.unplaced) (unplaced ??= []).push(index / 3);
      continue;
    }
    const judged = tooDeep(buffer.subarray(start, end), depth);
    events[index / 3] = judged.event;
    if (judged.unplaced) (unplaced ??= []).push(index / 3);
  }
  if (unplaced) placeByNeighbours(events, unplaced, where, route);
  return events;
}

/** What became of one element that the fast check did not pass. */
interface Judged {
  event: MpasEvent;
  /** Without a usable `time`: its time is still to be given (see placeByNeighbours). */
  unplaced: boolean;
}

const schemas = { user: userEventSchema, admin: adminEventSchema } as const;

function judge(parsed: boolean, value: unknown, stream: Stream, bytes: Uint8Array): Judged {
  if (!parsed) return rejected(undefined, bytes, 'is not JSON', { notJson: `${bytes.byteLength} bytes` });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return rejected(undefined, bytes, `is not an object but ${kind}`, { notAnObject: kind });
  }
  const record = value as Record<string, unknown>;
  const result = schemas[stream].safeParse(record);
  if (result.success) return { event: result.data, unplaced: false };
  const issues = result.error.issues.map((issue) => describeIssue(issue).replace(/^events\.?/, ''));
  const shown = issues.slice(0, 5).join('; ') + (issues.length > 5 ? ` (and ${issues.length - 5} more)` : '');
  return rejected(record, bytes, `does not match the ${stream} event schema: ${shown}`, record);
}

/**
 * An element nesting deeper than the limit: parsed (JSON.parse has no depth limit) only for its
 * `id` and `time`; what rests in the dead-letter store is its top level, each nested member
 * replaced by a note, so nothing deep ever reaches a recursive walk.
 */
function tooDeep(bytes: Uint8Array, depth: number): Judged {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    value = undefined;
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const shallow: Record<string, unknown> = {};
  if (record) {
    for (const [key, member] of Object.entries(record)) {
      Object.defineProperty(shallow, key, {
        value: typeof member === 'object' && member !== null ? `<removed: nested deeper than ${MAX_EVENT_DEPTH} levels>` : member,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return rejected(record, bytes, `nests ${depth} levels, more than the limit ${MAX_EVENT_DEPTH}`, record ? shallow : { nests: depth });
}

function rejected(record: Record<string, unknown> | undefined, bytes: Uint8Array, what: string, element: Record<string, unknown>): Judged {
  const id = record?.['id'];
  const time = record?.['time'];
  // Keycloak >= 26.2 names its events; otherwise the hash of the element's own bytes, the same
  // on every read of the same row, stands for it.
  const key = typeof id === 'string' && id.length > 0 ? id : 'x:' + createHash('sha256').update(bytes).digest('base64url');
  const usable = typeof time === 'number' && Number.isSafeInteger(time) && time >= 0;
  const at = usable ? ` at ${new Date(time).toISOString()}` : '';
  const reason = `the event ${key}${at} ${what}`;
  return { event: rejectedEvent(usable ? time : 0, key, { reason, element }), unplaced: !usable };
}

/**
 * Gives the elements without a usable `time` the time of the nearest element before them in the
 * server's answer (after them, when they come first), else the read's start: they are dead-
 * lettered with the chunk of that millisecond, ordered and keyed as its events are, so the cursor
 * never moves past them undelivered nor delivers them twice when the page is read again.
 */
function placeByNeighbours(events: MpasEvent[], unplaced: readonly number[], where: PageOrigin, route: 'events' | 'admin-events'): void {
  const timeless = new Set(unplaced);
  const timed = events.map((_event, index) => index).filter((index) => !timeless.has(index));
  for (const index of unplaced) {
    const before = timed.findLast((candidate) => candidate < index);
    const neighbour = before ?? timed.find((candidate) => candidate > index);
    const time = neighbour !== undefined ? events[neighbour]!.time : where.fallbackTime;
    if (time === undefined) {
      throw new MpasResponseError({
        route,
        realm: where.realm,
        stream: where.stream,
        issues: [`events: no element of the page has a usable time, so none can be placed in the stream (${unplaced.length} without one)`],
      });
    }
    const event = events[index] as unknown as { time: number; rejected: { reason: string } };
    event.time = time;
    event.rejected.reason += ` (it has no usable time: dead-lettered with the events of ${new Date(time).toISOString()})`;
  }
}

/** Why a body that is not an array cannot be read: not JSON, or JSON of another shape. */
function notAnArray(bytes: Uint8Array, where: PageOrigin, route: 'events' | 'admin-events'): MpasResponseError {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return new MpasResponseError({ route, realm: where.realm, stream: where.stream, issues: ['events: the body is not JSON'] }, { cause: error });
  }
  const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json === 'object' ? 'an object' : `a ${typeof json}`;
  return new MpasResponseError({ route, realm: where.realm, stream: where.stream, issues: [`events: expected an array of events, received ${kind}`] });
}

/** `events[3].details.username: Invalid input: expected string, received number`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  return `${pathText(issue.path)}: ${issue.message}`;
}

/** `["events", 3, "time"]`-style paths as a reader would write them: `events[3].time`. */
export function pathText(path: readonly PropertyKey[]): string {
  let text = 'events';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) text += `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}
