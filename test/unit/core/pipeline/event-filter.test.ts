import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPARATORS, compileFilter } from '../../../../lib/core/pipeline/event-filter.js';
import type { FilterEnvelope } from '../../../../lib/core/pipeline/event-filter.js';
import { FilterError } from '../../../../lib/core/pipeline/filter-error.js';

// Fixed, so a failure reproduces; fast-check prints it with the counterexample.
const SEED = 4242;

const username = fc.constantFrom('alice', 'user1', 'User1', 'ali');
const score = fc.oneof(fc.constantFrom('0.9', '0.95', '0.1', ' 0.5 ', 'abc', ''), fc.double({ min: -2, max: 2, noNaN: true }).map(String));
const ip = fc.constantFrom('127.0.0.1', '127.0.0.42', '0:0:0:0:0:0:0:1', '10.0.0.1', '<redacted>');
const envelope: fc.Arbitrary<FilterEnvelope> = fc.record({
  eventType: fc.constantFrom('user-event', 'admin-event'),
  timestamp: fc.constant('2025-02-12T19:27:50.156Z'),
  event: fc.record(
    {
      type: fc.constantFrom('LOGIN', 'LOGIN_ERROR', 'UPDATE_PASSWORD'),
      time: fc.integer({ min: 0, max: 10 }),
      ipAddress: ip,
      details: fc.record({ username, recaptcha_score: score, auth_method: fc.constantFrom('openid-connect', 'some-id-x', 'saml') }, { requiredKeys: [] }),
    },
    { requiredKeys: ['type', 'time'] },
  ),
});

type Details = { username?: string; recaptcha_score?: string; auth_method?: string };
const detailsOf = (e: FilterEnvelope): Details => (e.event.details ?? {}) as Details;

function matches(spec: unknown, event: Record<string, unknown>, eventType = 'user-event'): boolean {
  return compileFilter(spec)({ eventType, event });
}

describe('compileFilter', () => {
  it("keeps exactly one user's events: PAS 6.0's report filter, on our fields", () => {
    const filter = compileFilter({ 'event.details.username': { equals: 'user1' } });
    fc.assert(
      fc.property(envelope, (e) => filter(e) === (detailsOf(e).username === 'user1')),
      { seed: SEED },
    );
  });

  it("agrees with PAS 6.0's complex AND/OR/NOT example on generated envelopes", () => {
    const filter = compileFilter({
      AND: [
        { 'event.details.username': { equals: 'user1' } },
        { 'event.details.recaptcha_score': { smallerthan: '0.9' } },
        { NOT: { 'event.details.auth_method': { contains: 'some-id' } } },
        { OR: [{ 'event.ipAddress': { contains: '127.0.0.' } }, { 'event.ipAddress': { contains: '0:0:0:0:0:0:0:' } }] },
      ],
    });
    const reference = (e: FilterEnvelope): boolean => {
      const details = detailsOf(e);
      const scoreText = details.recaptcha_score?.trim() ?? '';
      const scoreNumber = scoreText === '' ? Number.NaN : Number(scoreText);
      const address = String(e.event.ipAddress);
      return (
        details.username === 'user1' &&
        scoreNumber < 0.9 &&
        !(details.auth_method ?? '').includes('some-id') &&
        (address.includes('127.0.0.') || address.includes('0:0:0:0:0:0:0:'))
      );
    };
    fc.assert(
      fc.property(envelope, (e) => filter(e) === reference(e)),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('compares equals as text for a text field and as a number for a number field', () => {
    expect(matches({ 'event.type': { equals: 'LOGIN' } }, { type: 'LOGIN' })).toBe(true);
    expect(matches({ 'event.type': { equals: 'login' } }, { type: 'LOGIN' })).toBe(false);
    expect(matches({ 'event.details.count': { equals: 3 } }, { details: { count: '3' } })).toBe(true);
    expect(matches({ 'event.details.count': { equals: 3 } }, { details: { count: '3.0' } })).toBe(false);
    expect(matches({ 'event.time': { equals: 5 } }, { time: 5 })).toBe(true);
    expect(matches({ 'event.time': { equals: '5' } }, { time: 5 })).toBe(true);
    expect(matches({ 'event.time': { equals: 'five' } }, { time: 5 })).toBe(false);
    expect(matches({ 'event.flag': { equals: true } }, { flag: true })).toBe(true);
  });

  it('tests contains as a substring of text only', () => {
    expect(matches({ 'event.clientId': { contains: 'port' } }, { clientId: 'portal' })).toBe(true);
    expect(matches({ 'event.clientId': { contains: 'PORT' } }, { clientId: 'portal' })).toBe(false);
    expect(matches({ 'event.time': { contains: '1' } }, { time: 111 })).toBe(false);
  });

  it('compares greaterthan and smallerthan as numbers, numeric strings on either side', () => {
    expect(matches({ 'event.time': { greaterthan: 10 } }, { time: 11 })).toBe(true);
    expect(matches({ 'event.time': { greaterthan: '10' } }, { time: 10 })).toBe(false);
    expect(matches({ 'event.details.score': { smallerthan: '0.9' } }, { details: { score: '0.85' } })).toBe(true);
    expect(matches({ 'event.details.score': { smallerthan: 0.9 } }, { details: { score: '10' } })).toBe(false);
    // As numbers, not as text: "10" > "9" although "10" < "9" by characters.
    expect(matches({ 'event.details.score': { greaterthan: '9' } }, { details: { score: '10' } })).toBe(true);
    expect(matches({ 'event.details.score': { greaterthan: 0 } }, { details: { score: 'high' } })).toBe(false);
  });

  it('never matches a missing field, with any comparator, so NOT of one matches', () => {
    const operands = { equals: 'x', contains: 'x', greaterthan: -1e9, smallerthan: 1e9 };
    for (const comparator of COMPARATORS) {
      const spec = { 'event.details.absent': { [comparator]: operands[comparator] } };
      expect(matches(spec, { details: {} }), comparator).toBe(false);
      expect(matches(spec, {}), comparator).toBe(false);
      expect(matches({ NOT: spec }, {}), comparator).toBe(true);
    }
    expect(matches({ 'event.constructor': { contains: 'Object' } }, {})).toBe(false);
  });

  it('reads eventType and timestamp from the envelope', () => {
    expect(matches({ eventType: { equals: 'admin-event' } }, {}, 'admin-event')).toBe(true);
    const filter = compileFilter({ timestamp: { contains: '2025-02' } });
    expect(filter({ eventType: 'user-event', timestamp: '2025-02-12T19:27:50.156Z', event: {} })).toBe(true);
    expect(filter({ eventType: 'user-event', event: {} })).toBe(false);
  });

  it.each([
    [{ AND: [{ 'event.type': { equals: 'A' } }, {}, { NOT: [] }] }, 'filter.AND[1]: expected an object with one key'],
    [{ AND: [{ NOT: { 'event.type': { equals: 'A' }, 'event.time': { equals: 1 } } }] }, 'filter.AND[0].NOT: expected an object with one key'],
    [{ AND: [{ 'event.type': { equals: 'A' } }, { 'event.time': { equals: 1 } }, { NOT: 'x' }] }, 'filter.AND[2].NOT: expected an object with one key'],
    [{ OR: [{ 'event.type': { equal: 'LOGIN' } }] }, 'filter.OR[0]["event.type"]: unknown comparator "equal" (use equals, contains, greaterthan, smallerthan)'],
    [{ OR: [] }, 'filter.OR: expected at least one filter'],
    [{ AND: { 'event.type': { equals: 'A' } } }, 'filter.AND: expected an array of filters'],
    [{ 'event.details.score': { smallerthan: 'high' } }, 'filter["event.details.score"].smallerthan: expected a number or a numeric string such as "0.9"'],
    [{ 'event.type': { contains: ['a'] } }, 'filter["event.type"].contains: expected a string'],
    [{ 'event.type': { equals: null } }, 'filter["event.type"].equals: expected a string, number or boolean'],
    [{ 'event.type': { equals: 'A', contains: 'B' } }, 'filter["event.type"]: expected an object with one comparator (equals, contains, greaterthan, smallerthan)'],
    [{ duser: { equals: 'user1' } }, 'filter["duser"]: unknown field "duser": paths start with eventType, timestamp or event. (e.g. event.details.username)'],
    [{ 'event..type': { equals: 'A' } }, 'filter["event..type"]: field path "event..type" has an empty segment'],
    [[{ 'event.type': { equals: 'A' } }], 'filter: expected an object with one key'],
  ])('rejects %j with the path of the bad node', (spec, message) => {
    expect(() => compileFilter(spec)).toThrow(FilterError);
    expect(() => compileFilter(spec)).toThrow(message);
  });

  it('names the bad node under the path the caller gives', () => {
    const error = (() => {
      try {
        compileFilter({ NOT: null }, 'siem.filter');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FilterError);
    expect(error).toMatchObject({ path: 'siem.filter.NOT', problem: 'expected an object with one key' });
  });

  it('makes NOT(f) the complement of f for any filter and envelope', () => {
    const path = fc.constantFrom('eventType', 'event.type', 'event.time', 'event.ipAddress', 'event.details.username', 'event.details.recaptcha_score', 'event.absent');
    const leaf = fc.oneof(
      fc.tuple(path, fc.constantFrom('equals', 'contains'), fc.constantFrom('LOGIN', 'user1', '127.0.0.', '3', 'user-event')),
      fc.tuple(path, fc.constantFrom('greaterthan', 'smallerthan'), fc.oneof(fc.integer({ min: -1, max: 11 }), fc.constantFrom('0.9', '5'))),
    ).map(([field, comparator, value]) => ({ [field]: { [comparator]: value } }));
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((operands) => ({ AND: operands })),
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((operands) => ({ OR: operands })),
        tie('node').map((inner) => ({ NOT: inner })),
      ),
    }));
    fc.assert(
      fc.property(node, envelope, (spec, e) => compileFilter({ NOT: spec })(e) === !compileFilter(spec)(e)),
      { seed: SEED, numRuns: 500 },
    );
  });
});
