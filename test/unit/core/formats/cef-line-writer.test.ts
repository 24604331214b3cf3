import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cefFields } from '../../../../lib/core/formats/cef-fields.js';
import { cefLine } from '../../../../lib/core/formats/cef-formatter.js';
import { writeCefLine } from '../../../../lib/core/formats/cef-line-writer.js';
import { resolveCefOptions } from '../../../../lib/core/formats/cef-options.js';
import type { FormatContext } from '../../../../lib/core/formats/formatter.js';
import type { AdminEvent, MpasEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';

// Fixed, so a failure reproduces; fast-check prints it with the counterexample.
const SEED = 18_1122;

const piece = fc.oneof(
  fc.constantFrom('|', '=', '\\', '\n', '\r', '\r\n', ' ', '"', '\u0001', '\ud800', '😀', 'é'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const short = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));
const long = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.integer({ min: 20, max: 1200 })).map(([parts, times]) => parts.join('').repeat(times));
const text = fc.oneof({ weight: 6, arbitrary: short }, { weight: 1, arbitrary: long });
const nullableText = fc.option(text, { nil: null });
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('<redacted>', 'fe80::1%eth0'), short);
const anyValue = fc.oneof(nullableText, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
const bag = fc.dictionary(fc.oneof(fc.constantFrom('username', 'auth_method', 'ipAddress', 'realmId', 'zeta', 'a'), short), anyValue, { maxKeys: 4 });

const userEvent = fc
  .tuple(
    fc.record(
      {
        id: text,
        time: fc.nat(),
        type: fc.oneof(fc.constantFrom('LOGIN', 'LOGIN_ERROR', 'REFRESH_TOKEN'), text.filter((t) => t.length > 0)),
        realmId: fc.oneof(nullableText, fc.constant('acme')),
        clientId: nullableText,
        userId: nullableText,
        sessionId: nullableText,
        ipAddress: fc.option(address, { nil: null }),
        error: nullableText,
        details: fc.option(bag, { nil: null }),
      },
      { requiredKeys: ['time', 'type'] },
    ),
    bag,
  )
  .map(([event, extra]) => ({ ...extra, ...event }) as UserEvent);

const adminEvent = fc
  .tuple(
    fc.record(
      {
        id: text,
        time: fc.nat(),
        realmId: fc.oneof(nullableText, fc.constant('acme')),
        authDetails: fc.option(fc.record({ clientId: nullableText, userId: nullableText, username: nullableText, ipAddress: fc.option(address, { nil: null }), other: anyValue }, { requiredKeys: [] }), { nil: null }),
        operationType: fc.oneof(fc.constantFrom('CREATE', 'DELETE', 'ACTION'), text.filter((t) => t.length > 0)),
        resourceType: fc.oneof(fc.constantFrom('USER', 'REALM'), nullableText),
        resourcePath: nullableText,
        representation: nullableText,
        error: nullableText,
      },
      { requiredKeys: ['time', 'operationType'] },
    ),
    bag,
  )
  .map(([event, extra]) => ({ ...extra, ...event }) as AdminEvent);

const options = fc.record({
  vendor: fc.constantFrom('Kelvin Zero', 'Ven|dor\\x'),
  product: fc.constantFrom('MPAS', 'P=r|o'),
  version: fc.constantFrom('unknown', '9\\9'),
  extraDetails: fc.constantFrom('cs' as const, 'drop' as const),
});
const realm = fc.constantFrom('acme', 'other');

function reference(event: MpasEvent, context: FormatContext, resolved: ReturnType<typeof resolveCefOptions>): string {
  return cefLine(cefFields(event, context, resolved));
}

describe('writeCefLine', () => {
  it('writes the same line as cefLine(cefFields(...)) for any user event and options', () => {
    fc.assert(
      fc.property(userEvent, options, realm, (event, given, realmName) => {
        const resolved = resolveCefOptions(given);
        const context: FormatContext = { tenant: 't', realm: realmName, stream: 'user' };
        expect(writeCefLine(event, context, resolved)).toBe(reference(event, context, resolved));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('writes the same line as cefLine(cefFields(...)) for any admin event and options', () => {
    fc.assert(
      fc.property(adminEvent, options, realm, (event, given, realmName) => {
        const resolved = resolveCefOptions(given);
        const context: FormatContext = { tenant: 't', realm: realmName, stream: 'admin' };
        expect(writeCefLine(event, context, resolved)).toBe(reference(event, context, resolved));
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('treats an own __proto__ member from parsed JSON as the reference does (left out, remainder still written)', () => {
    const resolved = resolveCefOptions({});
    const context: FormatContext = { tenant: 't', realm: 'acme', stream: 'user' };
    for (const json of [
      '{"time":1,"type":"LOGIN","__proto__":{"x":1}}',
      '{"time":1,"type":"LOGIN","__proto__":"text","b":2}',
      '{"time":1,"type":"LOGIN","details":{"__proto__":{"y":2}}}',
    ]) {
      const event = JSON.parse(json) as UserEvent;
      const line = writeCefLine(event, context, resolved);
      expect(line, json).toBe(reference(event, context, resolved));
      expect(line, json).toContain('cs6=');
    }
  });

  it('writes cs6 whole up to the length limit and truncated past it, as the reference does', () => {
    const resolved = resolveCefOptions({});
    const context: FormatContext = { tenant: 't', realm: 'acme', stream: 'user' };
    // `{"details":{"zeta":"…"},"realmId":"r"}` around 4,000 characters of JSON (cs6's limit), with
    // a plain value and one CEF escapes, and a number after it: the piecewise length must be exact.
    for (let length = 3_955; length <= 3_975; length += 1) {
      for (const [zeta, next] of [['x'.repeat(length), 'r'], ['='.repeat(length - 2) + 'xx', 7]] as const) {
        const event = { time: 1, type: 'LOGIN', realmId: next, details: { zeta } } as unknown as UserEvent;
        expect(writeCefLine(event, context, resolved), `${length}`).toBe(reference(event, context, resolved));
      }
    }
  });

  it('writes rt as String(time) does, whatever digits the header kept from the time before', () => {
    const resolved = resolveCefOptions({});
    const context: FormatContext = { tenant: 't', realm: 'acme', stream: 'user' };
    // In this order, so one header meets times whose leading digits change, return, and shrink.
    const times = [0, 7, 999_999, 1_000_000, 1_000_001, 1_740_787_199_999, 1_740_787_200_000, 1_740_787_200_007, 1_740_787_000_005,
      1_740_787_200_000, 1_740_786_999_999, 999_999, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 1e21, 1.5, 1_740_787_200_000.5, -1, -1_740_787_200_000];
    for (const time of times) {
      for (const type of ['LOGIN', 'LOGOUT']) {
        const event = { time, type, id: 'i' } as UserEvent;
        const line = writeCefLine(event, context, resolved);
        expect(line, String(time)).toBe(reference(event, context, resolved));
        expect(line, String(time)).toContain(`|rt=${String(time)} externalId=i `);
      }
    }
  });

  it('escapes a member value after a plain one of the same key, and not a plain one after an escaped one', () => {
    const resolved = resolveCefOptions({});
    const context: FormatContext = { tenant: 't', realm: 'acme', stream: 'user' };
    for (const zeta of ['code', 'code', 'co=de', 'code', 'co"de', 'code', 'c\u0001', 'code', 'x'.repeat(70), 'x'.repeat(70), 'x'.repeat(70) + '=']) {
      const event = { time: 1, type: 'LOGIN', zeta, details: { zeta } } as unknown as UserEvent;
      expect(writeCefLine(event, context, resolved), zeta).toBe(reference(event, context, resolved));
    }
  });

  it('writes each options object its own header, also when lines of two alternate or the options change in place', () => {
    const first = resolveCefOptions({ vendor: 'First' });
    const second = resolveCefOptions({ vendor: 'Second' });
    const context: FormatContext = { tenant: 't', realm: 'acme', stream: 'user' };
    const event: UserEvent = { time: 1, type: 'LOGIN' };
    for (const options of [first, second, first, second]) expect(writeCefLine(event, context, options)).toBe(reference(event, context, options));
    first.vendor = 'Changed';
    expect(writeCefLine(event, context, first)).toMatch(/^CEF:0\|Changed\|/);
    expect(writeCefLine(event, context, first)).toBe(reference(event, context, first));
  });

  it('starts the extension with rt and separates pairs by one space even after a value ending in |', () => {
    const resolved = resolveCefOptions({});
    const event: UserEvent = { time: 5, type: 'LOGIN', id: 'id|', userId: 'u|' };
    expect(writeCefLine(event, { tenant: 't', realm: 'acme', stream: 'user' }, resolved)).toMatch(/\|rt=5 externalId=id\| act=LOGIN outcome=success duid=u\| cs1Label=realm cs1=acme$/);
  });
});
