import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryPolicy } from '../../../../lib/sources/mpas/retry-policy.js';
import { seededRandom } from '../../../support/scripted-fetch.js';

describe('RetryPolicy', () => {
  it('defaults to 5 attempts, 500 ms base and 30 s max', () => {
    const policy = new RetryPolicy();
    expect([policy.attempts, policy.backoff.baseMs, policy.backoff.maxMs, policy.maxRetryAfterMs]).toEqual([5, 500, 30_000, 30_000]);
    expect([1, 2, 3, 4].map((attemptsMade) => policy.hasAttemptsLeft(attemptsMade))).toEqual([true, true, true, true]);
    expect(policy.hasAttemptsLeft(5)).toBe(false);
  });

  it('retries 429 and 5xx, accepts 2xx and refuses every other status', () => {
    const policy = new RetryPolicy();
    expect([429, 500, 502, 503, 504].map((status) => policy.classify(status))).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect([200, 204].map((status) => policy.classify(status))).toEqual(['ok', 'ok']);
    expect([301, 400, 401, 403, 404, 413].map((status) => policy.classify(status))).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'fail']);
  });

  it('draws the backoff uniformly below a ceiling that doubles and stops at the max (full jitter)', () => {
    const seed = 20250212;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, draw) => {
        const policy = new RetryPolicy({ attempts: 100, baseDelayMs: 500, maxDelayMs: 30_000 }, () => draw);
        const ceiling = Math.min(30_000, 500 * 2 ** attempt);
        const delay = delayOf(policy, attempt);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBe(Math.floor(draw * ceiling));
      }),
      { seed, numRuns: 300 },
    );
  });

  it('uses the injected random for the draw, so a seed replays the same delays', () => {
    const seed = 7;
    const delays = (): number[] => {
      const policy = new RetryPolicy({ attempts: 9 }, seededRandom(seed));
      return [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) => delayOf(policy, attempt));
    };
    const first = delays();
    expect(first, `seed ${seed}`).toEqual(delays());
    expect(new Set(first).size, `seed ${seed}: the draws should differ`).toBeGreaterThan(1);
    expect(first[0], `seed ${seed}`).toBeLessThanOrEqual(500);
  });

  it('waits what Retry-After asks for, but never longer than the max', () => {
    const policy = new RetryPolicy({ maxDelayMs: 10_000 }, () => 0.5);
    expect(delayOf(policy, 0, 3_000)).toBe(3_000);
    expect(delayOf(policy, 3, 0)).toBe(0);
    expect(delayOf(policy, 0, 120_000)).toBe(10_000);
    // A Retry-After of 3,000,000 s (read as lib/net's cap) is still waited for 10 s only.
    expect(delayOf(policy, 0, 3e9)).toBe(10_000);
  });

  it('gives up once the attempts are spent, whatever the server asks', () => {
    const policy = new RetryPolicy({ attempts: 2 }, () => 0.5);
    expect(policy.decide({ attemptsMade: 2, retryAfterMs: 1_000 })).toEqual({ retry: false, because: 'attempts', retryAfterMs: 1_000 });
  });

  it('refuses settings that make no sense, naming each of them', () => {
    expect(() => new RetryPolicy({ attempts: 0 })).toThrow(/retry\.attempts must be an integer >= 1 \(got 0\)/);
    expect(() => new RetryPolicy({ attempts: 2.5 })).toThrow(/retry\.attempts/);
    expect(() => new RetryPolicy({ baseDelayMs: -1, maxDelayMs: 10 })).toThrow(/retry\.baseDelayMs must be >= 0/);
    expect(() => new RetryPolicy({ baseDelayMs: 1000, maxDelayMs: 10 })).toThrow(/retry\.maxDelayMs must be >= retry\.baseDelayMs/);
  });
});

/** The wait the policy decides on after attempt number `attempt` (0 for the first). */
function delayOf(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const decision = policy.decide({ attemptsMade: attempt + 1, retryAfterMs });
  if (!decision.retry) throw new Error(`attempt ${attempt}: gave up (${decision.because})`);
  return decision.delayMs;
}
