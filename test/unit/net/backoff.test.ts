import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffProblems, jitteredBackoffMs } from '../../../lib/net/backoff.js';

const SEED = 20251217;

describe('backoff', () => {
  it('doubles the ceiling from base after each attempt and stops at max', () => {
    const settings = { baseMs: 200, maxMs: 5_000 };
    expect([1, 2, 3, 4, 5, 6, 100, Infinity].map((attempts) => backoffCeilingMs(attempts, settings))).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000]);
  });

  it('draws below the ceiling: 0 for the lowest draw, ceiling - 1 for the highest', () => {
    const settings = { baseMs: 500, maxMs: 30_000 };
    expect(jitteredBackoffMs(1, settings, () => 0)).toBe(0);
    expect(jitteredBackoffMs(1, settings, () => 0.5)).toBe(250);
    expect(jitteredBackoffMs(1, settings, () => 0.9999999)).toBe(499);
    expect(jitteredBackoffMs(10, settings, () => 0.5)).toBe(15_000);
  });

  it('is a whole number in [0, max] and never NaN for any attempt count, settings and draw', () => {
    const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Infinity, -Infinity, NaN, 0, -0, Number.MAX_VALUE));
    fc.assert(
      fc.property(anyNumber, anyNumber, anyNumber, anyNumber, (attempts, baseMs, maxMs, draw) => {
        const delay = jitteredBackoffMs(attempts, { baseMs, maxMs }, () => draw);
        const ceiling = backoffCeilingMs(attempts, { baseMs, maxMs });
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(ceiling).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(ceiling)).toBe(true);
        expect(delay).toBeLessThanOrEqual(ceiling);
        if (Number.isFinite(maxMs) && maxMs >= 0) expect(ceiling).toBeLessThanOrEqual(maxMs);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('names each unusable setting', () => {
    expect(backoffProblems({ baseMs: -1, maxMs: NaN }, { base: 'SINK_BASE', max: 'SINK_MAX' })).toEqual([
      'SINK_BASE must be a number >= 0 (got -1)',
      'SINK_MAX must be a number >= 0 (got NaN)',
    ]);
    expect(backoffProblems({ baseMs: 0, maxMs: 0 }, { base: 'b', max: 'm' })).toEqual([]);
  });
});
