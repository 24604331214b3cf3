import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseHttpDate, parseRetryAfter } from '../../../lib/net/retry-after.js';

const NOW = Date.parse('2025-02-12T19:27:48.000Z');
const SEED = 20251217;

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('2', NOW)).toBe(2_000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('0007', NOW)).toBe(7_000);
  });

  it('caps a long wait at MAX_RETRY_AFTER_MS (15 minutes), huge digit strings included', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(900_000);
    expect(parseRetryAfter('900', NOW)).toBe(900_000);
    expect(parseRetryAfter('901', NOW)).toBe(900_000);
    expect(parseRetryAfter('3000000', NOW)).toBe(900_000);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(900_000);
    expect(parseRetryAfter('0'.repeat(50) + '5', NOW)).toBe(5_000);
  });

  it('reads the three HTTP date forms of RFC 9110 relative to now, as GMT', () => {
    expect(parseRetryAfter('Wed, 12 Feb 2025 19:27:53 GMT', NOW)).toBe(5_000);
    expect(parseRetryAfter('Wednesday, 12-Feb-25 19:28:48 GMT', NOW)).toBe(60_000);
    // asctime carries no zone: it is GMT, whatever the machine's zone is.
    expect(parseRetryAfter('Wed Feb 12 19:29:48 2025', NOW)).toBe(120_000);
    expect(parseRetryAfter('Wed Feb  2 19:27:48 2025', NOW)).toBe(0);
    expect(parseRetryAfter('wed, 12 FEB 2025 19:27:58 gmt', NOW)).toBe(10_000);
  });

  it('caps a date far ahead and treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Fri, 12 Feb 2100 19:27:48 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Tue, 11 Feb 2025 19:27:48 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('reads a two-digit year more than 50 years ahead as the past century (RFC 9110 5.6.7)', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(Date.parse('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Monday, 06-Nov-75 08:49:37 GMT', NOW)).toBe(Date.parse('2075-11-06T08:49:37Z'));
  });

  it('ignores what is absent, negative, fractional or not a date, so backoff applies', () => {
    for (const value of [null, undefined, '', '  ', '-1', '-0', '+5', '1.5', '1e3', '0x10', 'soon', 'Infinity', 'NaN', 'Xyz, 99 Foo 2025 99:99:99 GMT', 'Wed, 31 Feb 2025 19:27:48 GMT', 'Wed, 12 Feb 2025 25:00:00 GMT', 'Wed, 12 Feb 2025 19:27:48 PST', '5 seconds']) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
    }
  });

  it('is undefined or a whole number in [0, MAX_RETRY_AFTER_MS] for any header text and any now', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.stringMatching(/^\s*-?\d{0,30}\s*$/),
      fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
      fc.date({ noInvalidDate: true }).map((date) => date.toUTCString().replace(/^(\w+), (\d+) (\w+) \d\d(\d\d)/, '$1day, $2-$3-$4')),
    );
    const now = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(header, now, (value, nowMs) => {
        const wait = parseRetryAfter(value, nowMs);
        if (wait === undefined) return;
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('reads every date Date#toUTCString writes as the wait to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RETRY_AFTER_MS / 1000 }), (seconds) => {
        expect(parseRetryAfter(new Date(NOW + seconds * 1000).toUTCString(), NOW)).toBe(seconds * 1000);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
