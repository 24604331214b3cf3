import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VISIBILITY_SECONDS, backoffSeconds, minimumBackoffSeconds } from '../../../lib/aws/visibility-backoff.js';

describe('backoffSeconds', () => {
  it('draws uniformly from half of base * 2^(n-1) seconds up to all of it (equal jitter)', () => {
    const base = { baseSeconds: 30, maxSeconds: 43_200 };
    expect(backoffSeconds({ ...base, receiveCount: 1, random: () => 0 })).toBe(15);
    expect(backoffSeconds({ ...base, receiveCount: 1, random: () => 0.999_999 })).toBe(30);
    expect(backoffSeconds({ ...base, receiveCount: 3, random: () => 0 })).toBe(60);
    expect(backoffSeconds({ ...base, receiveCount: 3, random: () => 0.999_999 })).toBe(120);
    expect(backoffSeconds({ ...base, receiveCount: 3, random: () => 0.5 })).toBe(90);
    // The 12th receive reaches the 12-hour ceiling: at least 6 hours, whatever the draw.
    expect(backoffSeconds({ ...base, receiveCount: 12, random: () => 0 })).toBe(21_600);
    expect(minimumBackoffSeconds(12, base)).toBe(21_600);
  });

  it('never draws below the minimum the retry window counts on (seeded property)', () => {
    const seed = 20_251_203;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 43_200 }),
        fc.integer({ min: 0, max: 43_200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999_999_9, noNaN: true }),
        (baseSeconds, maxSeconds, receiveCount, draw) => {
          const settings = { baseSeconds, maxSeconds };
          expect(backoffSeconds({ ...settings, receiveCount, random: () => draw }), `seed ${seed}`).toBeGreaterThanOrEqual(minimumBackoffSeconds(receiveCount, settings));
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('never waits less than the SIEM asked for in Retry-After, rounded up to whole seconds and capped at 15 minutes', () => {
    expect(backoffSeconds({ baseSeconds: 30, maxSeconds: 600, receiveCount: 1, retryAfterMs: 90_001, random: () => 0 })).toBe(91);
    expect(backoffSeconds({ baseSeconds: 30, maxSeconds: 600, receiveCount: 1, retryAfterMs: 3_000_000_000, random: () => 0 })).toBe(900);
  });

  it('caps the wait at the setting, at the caller limit (DelaySeconds 900) and at 12 hours', () => {
    const high = { receiveCount: 40, random: () => 0.999_999 };
    expect(backoffSeconds({ ...high, baseSeconds: 30, maxSeconds: 600 })).toBe(600);
    expect(backoffSeconds({ ...high, baseSeconds: 30, maxSeconds: 43_200, limitSeconds: 900 })).toBe(900);
    expect(backoffSeconds({ ...high, baseSeconds: 30, maxSeconds: 10 ** 9, retryAfterMs: 10 ** 12 })).toBe(MAX_VISIBILITY_SECONDS);
  });

  it('stays a whole number within [max(Retry-After, 0), limit] for any input (seeded property)', () => {
    const seed = 20_250_304;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.integer({ min: -5, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 10 ** 8 })),
        fc.double({ min: 0, max: 0.999_999_9, noNaN: true }),
        (baseSeconds, maxSeconds, receiveCount, retryAfterMs, draw) => {
          const wait = backoffSeconds({ baseSeconds, maxSeconds, receiveCount, retryAfterMs: retryAfterMs ?? undefined, random: () => draw });
          // lib/net caps a Retry-After at 15 minutes everywhere.
          const floor = Math.min(900, Math.ceil((retryAfterMs ?? 0) / 1000));
          expect(Number.isInteger(wait), `seed ${seed}`).toBe(true);
          expect(wait, `seed ${seed}`).toBeGreaterThanOrEqual(floor);
          expect(wait, `seed ${seed}`).toBeLessThanOrEqual(Math.max(floor, Math.min(maxSeconds, MAX_VISIBILITY_SECONDS)));
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});
