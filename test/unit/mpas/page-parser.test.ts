import { describe, expect, it } from 'vitest';
import { MpasResponseError } from '../../../lib/mpas/errors.js';
import { parseEventPage, pathText } from '../../../lib/mpas/page-parser.js';

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

  it('names the index and field of a bad event, e.g. events[3].time: expected number', () => {
    const page = [login(1), login(2), login(3), login(4, { time: '2025-02-12T19:27:48.633Z' })];
    const issues = issuesOf(JSON.stringify(page));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^events\[3\]\.time: .*expected number/);
  });

  it('refuses the whole page when one event is bad, reporting every bad field', () => {
    const page = [login(1, { type: '' }), login(2), login(3, { details: { username: 42 } })];
    const issues = issuesOf(JSON.stringify(page));
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(['events[0].type', 'events[2].details.username']);
  });

  it("checks admin events against the admin schema, not the user one", () => {
    const issues = issuesOf(JSON.stringify([login(1)]), 'admin');
    expect(issues[0]).toMatch(/^events\[0\]\.operationType: /);
  });

  it('refuses a body that is not an array', () => {
    expect(issuesOf(JSON.stringify({ events: [login(1)], total: 1 }))[0]).toMatch(/^events: .*expected array/);
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

  it('shows at most five issues in the message and counts the rest', () => {
    const page = Array.from({ length: 8 }, (_unused, index) => login(index, { time: -1 }));
    let message = '';
    try {
      parseEventPage(JSON.stringify(page), { realm: 'acme', stream: 'user' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('events[4].time');
    expect(message).not.toContain('events[5].time');
    expect(message).toContain('(and 3 more)');
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
    for (const body of [
      JSON.stringify([login(1), login(2, { time: 'soon' })]),
      JSON.stringify({ events: [] }),
      '[{"time":1,',
      '[{"time":1,,}]',
      `${JSON.stringify([login(1)])} trailing`,
    ]) {
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
