import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cefFields } from '../../../../lib/core/formats/cef-fields.js';
import { createCefFormatter } from '../../../../lib/core/formats/cef-formatter.js';
import { CEF_LIMITS, resolveCefOptions } from '../../../../lib/core/formats/cef-options.js';
import type { FormatContext } from '../../../../lib/core/formats/formatter.js';
import type { AdminEvent, MpasEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { parseCef } from '../../../support/cef-parser.js';

// Fixed, so a failure reproduces; fast-check prints it with the counterexample.
const SEED = 20250212;
const RUNS = 300;

// The characters CEF cares about, mixed with arbitrary unicode (astral characters included).
const piece = fc.oneof(
  fc.constantFrom('|', '=', '\\', '\n', '\r', '\r\n', ' ', ' =', '\\n', '😀', 'é'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const short = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
// Long enough to cross every limit (63, 1023, 4000), so truncation meets escapes and emoji.
const long = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.integer({ min: 20, max: 1500 })).map(([parts, times]) => parts.join('').repeat(times));
const text = fc.oneof({ weight: 6, arbitrary: short }, { weight: 1, arbitrary: long });
const nullableText = fc.option(text, { nil: null });
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('<redacted>', 'hmac-sha256:3q2+7w=='), text);
const details = fc.option(fc.dictionary(fc.oneof(fc.constantFrom('username', 'auth_method'), short), nullableText, { maxKeys: 4 }), { nil: null });

const userEvent: fc.Arbitrary<UserEvent> = fc.record(
  {
    id: text,
    time: fc.nat(),
    type: fc.oneof(fc.constantFrom('LOGIN', 'LOGIN_ERROR', 'REFRESH_TOKEN', 'IMPERSONATE'), text.filter((t) => t.length > 0)),
    realmId: nullableText,
    clientId: nullableText,
    userId: nullableText,
    sessionId: nullableText,
    ipAddress: fc.option(address, { nil: null }),
    error: nullableText,
    details,
  },
  { requiredKeys: ['time', 'type'] },
);

const adminEvent: fc.Arbitrary<AdminEvent> = fc.record(
  {
    id: text,
    time: fc.nat(),
    realmId: nullableText,
    authDetails: fc.option(fc.record({ realmId: nullableText, clientId: nullableText, userId: nullableText, ipAddress: fc.option(address, { nil: null }) }, { requiredKeys: [] }), { nil: null }),
    operationType: fc.oneof(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'ACTION'), text.filter((t) => t.length > 0)),
    resourceType: fc.oneof(fc.constantFrom('USER', 'REALM', 'CLIENT_ROLE_MAPPING'), nullableText),
    resourcePath: nullableText,
    representation: nullableText,
    error: nullableText,
    details,
  },
  { requiredKeys: ['time', 'operationType'] },
);

const input = fc.oneof(
  fc.tuple(userEvent, fc.constant('user' as const)),
  fc.tuple(adminEvent, fc.constant('admin' as const)),
);
const context = (stream: 'user' | 'admin', realm: string): FormatContext => ({ tenant: 't', realm: realm || 'r', stream });

const LIMITS: Record<string, number> = {
  act: CEF_LIMITS.act,
  reason: CEF_LIMITS.reason,
  request: CEF_LIMITS.request,
  suser: CEF_LIMITS.suser,
  suid: CEF_LIMITS.suid,
  duser: CEF_LIMITS.duser,
  duid: CEF_LIMITS.duid,
  externalId: CEF_LIMITS.externalId,
};

function prefixOf(original: string, max: number): string {
  return Array.from(original).slice(0, max).join('');
}

describe('createCefFormatter (property)', () => {
  const options = resolveCefOptions({ version: '9.9.9' });
  const formatter = createCefFormatter(options);

  it('writes any event as one line that a strict parser splits back into the same fields', () => {
    fc.assert(
      fc.property(input, short, ([event, stream], realm) => {
        const ctx = context(stream, realm);
        const line = formatter.encode(event as MpasEvent, ctx);
        expect(line).not.toMatch(/[\r\n]/);
        const parsed = parseCef(line);
        const fields = cefFields(event as MpasEvent, ctx, options);
        expect(parsed).toEqual({
          version: '0',
          vendor: fields.vendor,
          product: fields.product,
          deviceVersion: fields.version,
          signatureId: fields.signatureId,
          name: fields.name,
          severity: String(fields.severity),
          extension: fields.extension,
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps each value a prefix of its source within the CEF limit, and src a valid address', () => {
    fc.assert(
      fc.property(input, ([event, stream]) => {
        const extension = new Map(parseCef(formatter.encode(event as MpasEvent, context(stream, 'r'))).extension);
        const sources: Record<string, unknown> =
          stream === 'user'
            ? { act: (event as UserEvent).type, reason: event.error }
            : { act: (event as AdminEvent).operationType, reason: event.error, request: (event as AdminEvent).resourcePath };
        for (const [key, source] of Object.entries(sources)) {
          if (typeof source === 'string' && source.length > 0) expect(extension.get(key), key).toBe(prefixOf(source, LIMITS[key] as number));
          else expect(extension.has(key), key).toBe(false);
        }
        for (const [key, value] of extension) {
          const limit = LIMITS[key] ?? (/^cs\d$/.test(key) ? CEF_LIMITS.customString : Infinity);
          expect(Array.from(value).length, key).toBeLessThanOrEqual(limit);
        }
        const src = extension.get('src');
        if (src !== undefined) expect(isIP(src), src).not.toBe(0);
        expect(extension.get('outcome')).toBe(event.error ? 'failure' : stream === 'user' && (event as UserEvent).type.endsWith('_ERROR') ? 'failure' : 'success');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('emits the extension keys in one fixed order', () => {
    const order = ['rt', 'externalId', 'act', 'outcome', 'reason', 'src', 'suser', 'suid', 'duser', 'duid', 'request', 'cs1Label', 'cs1', 'cs2Label', 'cs2', 'cs3Label', 'cs3', 'cs4Label', 'cs4', 'cs5Label', 'cs5', 'cs6Label', 'cs6'];
    fc.assert(
      fc.property(input, ([event, stream]) => {
        const keys = parseCef(formatter.encode(event as MpasEvent, context(stream, 'r'))).extension.map(([key]) => key);
        const positions = keys.map((key) => order.indexOf(key));
        expect(positions.every((position) => position >= 0)).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
