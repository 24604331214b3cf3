import type { z } from 'zod';
import { isCanonicalAdminEvent, isCanonicalUserEvent } from './event-fast-check.js';
import { pageSchemaFor } from './event-schemas.js';
import type { MpasEvent, Stream } from './event-schemas.js';
import { MpasResponseError } from './errors.js';
import { jsonArrayObjectSlices } from './json-array-slices.js';

const utf8 = new TextDecoder();

/**
 * Turns the body of a 200 from an events endpoint into events, all of them or none: a body
 * that is not JSON, or any event that fails the stream's schema, rejects the whole page.
 * @throws MpasResponseError naming every bad field, e.g. `events[3].time: expected number`.
 */
export function parseEventPage(body: string | Uint8Array, where: { realm: string; stream: Stream }): MpasEvent[] {
  const route = where.stream === 'user' ? 'events' : 'admin-events';
  let json: unknown;
  try {
    json = typeof body === 'string' ? JSON.parse(body) : parseJsonBytes(body);
  } catch (error) {
    throw new MpasResponseError({ route, realm: where.realm, stream: where.stream, issues: ['events: the body is not JSON'] }, { cause: error });
  }
  // The precompiled check passes a page zod would return unchanged; zod judges and explains the rest.
  const isCanonical = where.stream === 'user' ? isCanonicalUserEvent : isCanonicalAdminEvent;
  if (Array.isArray(json) && json.every(isCanonical)) return json as MpasEvent[];
  const parsed = pageSchemaFor(where.stream).safeParse(json);
  if (!parsed.success) {
    throw new MpasResponseError(
      { route, realm: where.realm, stream: where.stream, issues: parsed.error.issues.map(describeIssue) },
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * `JSON.parse` of UTF-8 bytes. A page (an array of objects) is parsed object by object: decoded
 * whole, a page of a thousand events is one string of half a megabyte, which V8 puts in fresh
 * memory that the kernel faults in page by page, and that cost more than parsing it (measured:
 * 3.5-3.9 against 2.2-2.4 ms per page). Anything else, or an object that does not parse, goes
 * through the whole text, which also gives the error.
 */
function parseJsonBytes(bytes: Uint8Array): unknown {
  const slices = jsonArrayObjectSlices(bytes);
  if (slices) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const objects: unknown[] = new Array(slices.length / 2);
    try {
      for (let index = 0; index < slices.length; index += 2) objects[index / 2] = JSON.parse(buffer.toString('utf8', slices[index], slices[index + 1]));
      return objects;
    } catch {
      // Judged (and explained) by the whole text below.
    }
  }
  return JSON.parse(utf8.decode(bytes));
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
