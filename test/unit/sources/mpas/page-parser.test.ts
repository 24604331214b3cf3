import { describe, expect, it } from 'vitest';
import { MpasResponseError } from '../../../../lib/sources/mpas/errors.js';
import { MAX_EVENT_DEPTH } from '../../../../lib/sources/mpas/page-limits.js';
import { parseEventPage, pathText } from '../../../../lib/sources/mpas/page-parser.js';
import { rejectionOf } from '../../../../lib/core/events/rejected-event.js';

const login = (time: number, extra: Record<string, unknown> = {}) => ({ id: `e${time}`, time, type: 'LOGIN', realmId: 'r', ...extra });
const deletion = (time: number) => ({ time, operationType: 'DELETE', resourceType: 'USER_SESSION', authDetails: { userId: 'u' } });

function issuesOf(body: string, stream: 'user' | 'admin' = 'user'): string[] {
  try {
    parseEventPage(body, { realm: 'acme', stream });
  } catch (error) {
    expect(error).toBeInstanceOf(MpasResponseError);
    return (error as MpasResponseError).detail.issues;
  }
  throw new Error('expected the page to be refused');
}

describe('parseEventPage', () => {
  it('returns every event of a valid page, unknown fields kept', () => {
    const page = [login(1), login(2, { newerKeycloakField: 'x' })];
    expect(parseEventPage(JSON.stringify(page), { realm: 'acme', stream: 'user' })).toEqual(page);
    expect(parseEventPage(JSON.stringify([deletion(3)]), { realm: 'acme', stream: 'admin' })).toEqual([deletion(3)]);
    expect(parseEventPage('[]', { realm: 'acme', stream: 'user' })).toEqual([]);
  });

  const rejectionsOf = (events: readonly unknown[]) => events.map((event) => rejectionOf(event)?.reason);

  it('keeps a bad event in its place as a rejected event with its reason, its neighbours as they are', () => {
    const page = [login(1), login(2), login(3), login(4, { time: '2025-02-12T19:27:48.633Z' }), login(5, { type: '', details: { username: 42 } })];
    const events = parseEventPage(JSON.stringify(page), { realm: 'acme', stream: 'user' });
    expect(events.slice(0, 3)).toEqual(page.slice(0, 3));
    expect(rejectionsOf(events)).toEqual([
      undefined,
      undefined,
      undefined,
      expect.stringMatching(/^the event e4 does not match the user event schema: time: .*expected number.*\(it has no usable time: dead-lettered with the events of 1970-01-01T00:00:00.003Z\)$/),
      expect.stringMatching(/^the event e5 at 1970-01-01T00:00:00.005Z does not match the user event schema: type: .*; details.username: /),
    ]);
    // Keyed by its id, at the time of the element before it: the walk orders and commits it so.
    expect(events[3]).toMatchObject({ id: 'e4', time: 3 });
    expect(rejectionOf(events[4])?.element).toEqual(page[4]);
  });

  it('checks admin events against the admin schema, not the user one', () => {
    const [event] = parseEventPage(JSON.stringify([login(1)]), { realm: 'acme', stream: 'admin' });
    expect(rejectionOf(event)?.reason).toMatch(/does not match the admin event schema: operationType: /);
  });

  it('rejects an element that is not JSON or not an object, keyed by a hash of its bytes', () => {
    const body = '[{"time":1,"type":"LOGIN"},{"time":2,,},42,null]';
    const events = parseEventPage(body, { realm: 'acme', stream: 'user' });
    expect(events[0]).toEqual({ time: 1, type: 'LOGIN' });
    expect(rejectionsOf(events).slice(1)).toEqual([
      expect.stringMatching(/^the event x:\S+ is not JSON \(it has no usable time/),
      expect.stringMatching(/^the event x:\S+ is not an object but a number/),
      expect.stringMatching(/^the event x:\S+ is not an object but null/),
    ]);
    expect(events.slice(1).map((event) => event.time)).toEqual([1, 1, 1]);
    // The same bytes, the same key, on every read.
    expect(parseEventPage(body, { realm: 'acme', stream: 'user' }).map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('places elements without a time at the read\'s start when no neighbour has one, and refuses the page when there is none', () => {
    expect(parseEventPage('[42]', { realm: 'acme', stream: 'user', fallbackTime: 7 })[0]?.time).toBe(7);
    expect(() => parseEventPage('[42]', { realm: 'acme', stream: 'user' })).toThrow(/no element of the page has a usable time/);
  });

  it('rejects an element nesting deeper than the limit, keeping only its top level', () => {
    const body = `[${JSON.stringify(login(8))},${'{"id":"d1","time":9,"type":"LOGIN","details":' + '{"a":'.repeat(100_000) + '{}' + '}'.repeat(100_000) + '}'}]`;
    const events = parseEventPage(body, { realm: 'acme', stream: 'user' });
    expect(events[0]).toEqual(login(8));
    expect(rejectionOf(events[1])).toEqual({
      reason: `the event d1 at 1970-01-01T00:00:00.009Z nests 100002 levels, more than the limit ${MAX_EVENT_DEPTH}`,
      element: { id: 'd1', time: 9, type: 'LOGIN', details: `<removed: nested deeper than ${MAX_EVENT_DEPTH} levels>` },
    });
  });

  it('refuses a body that is not an array', () => {
    expect(issuesOf(JSON.stringify({ events: [login(1)], total: 1 }))[0]).toBe('events: expected an array of events, received an object');
  });

  it('refuses a body that is not JSON, keeping the parse error as the cause', () => {
    const error = (() => {
      try {
        return parseEventPage('[{"time":1,', { realm: 'acme', stream: 'admin' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(MpasResponseError);
    expect((error as Error).message).toBe('MPAS admin-events endpoint of realm acme returned an invalid body: events: the body is not JSON');
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('shows at most five issues of an element in its reason and counts the rest', () => {
    const bad = { time: 1, type: 1, realmId: 1, clientId: 1, userId: 1, sessionId: 1, ipAddress: 1, error: 1 };
    const [event] = parseEventPage(JSON.stringify([bad]), { realm: 'acme', stream: 'user' });
    expect(rejectionOf(event)?.reason).toContain('(and 2 more)');
  });
});

describe('parseEventPage from bytes', () => {
  const where = { realm: 'acme', stream: 'user' } as const;
  const failureOf = (body: string | Uint8Array): unknown => {
    try {
      parseEventPage(body, where);
    } catch (error) {
      return error;
    }
    throw new Error('expected the page to be refused');
  };

  it('gives what the text gives: the events, or the same error', () => {
    const page = [login(1, { details: { username: 'zoë', note: '{"}[' } }), login(2)];
    expect(parseEventPage(Buffer.from(JSON.stringify(page)), where)).toEqual(page);
    expect(parseEventPage(Buffer.from(JSON.stringify(page, null, 2)), where)).toEqual(page);
    expect(parseEventPage(Buffer.from(' [] '), where)).toEqual([]);
    expect(parseEventPage(Buffer.from(JSON.stringify([login(1), login(2, { time: 'soon' })])), where)).toEqual(parseEventPage(JSON.stringify([login(1), login(2, { time: 'soon' })]), where));
    for (const body of [JSON.stringify({ events: [] }), '[{"time":1,', `${JSON.stringify([login(1)])} trailing`]) {
      const fromText = failureOf(body) as MpasResponseError;
      const fromBytes = failureOf(Buffer.from(body)) as MpasResponseError;
      expect(fromBytes, body).toBeInstanceOf(MpasResponseError);
      expect(fromBytes.message, body).toBe(fromText.message);
      expect((fromBytes.cause as Error | undefined)?.constructor, body).toBe((fromText.cause as Error | undefined)?.constructor);
    }
  });

  it('drops a byte order mark, as Response.text() does', () => {
    const page = [login(1)];
    expect(parseEventPage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(page))]), where)).toEqual(page);
  });

  it('decodes a byte sequence that is not UTF-8 as text() does, to U+FFFD', () => {
    const body = Buffer.concat([Buffer.from('[{"id":"e1","time":1,"type":"LOGIN","details":{"username":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}}]')]);
    expect(parseEventPage(body, where)).toEqual(parseEventPage(new TextDecoder().decode(body), where));
    expect((parseEventPage(body, where)[0] as unknown as { details: { username: string } }).details.username).toBe('\ufffd\ufffd');
  });
});

describe('pathText', () => {
  it('writes paths as a reader would', () => {
    expect(pathText([])).toBe('events');
    expect(pathText([0, 'authDetails', 'ipAddress'])).toBe('events[0].authDetails.ipAddress');
    expect(pathText([2, 'details', 'odd key'])).toBe('events[2].details["odd key"]');
  });
});
