import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS } from '../../../lib/net/retry-after.js';
import { capRetryAfter, RetryPolicy } from '../../../lib/net/retry-policy.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const SEED = 20251217;
const backoff = { baseMs: 200, maxMs: 5_000 };

describe('RetryPolicy', () => {
  it('retries with the jittered backoff until the attempts are spent', () => {
    const policy = new RetryPolicy({ attempts: 3, backoff, random: () => 0.5 });
    expect(policy.decide({ attemptsMade: 1 })).toEqual({ retry: true, delayMs: 100 });
    expect(policy.decide({ attemptsMade: 2 })).toEqual({ retry: true, delayMs: 200 });
    expect(policy.decide({ attemptsMade: 3 })).toEqual({ retry: false, because: 'attempts' });
    expect(policy.decide({ attemptsMade: 3, retryAfterMs: 1_000 })).toEqual({ retry: false, because: 'attempts', retryAfterMs: 1_000 });
  });

  it('waits what Retry-After asks instead of the draw, up to what the caller may wait in process', () => {
    const policy = new RetryPolicy({ attempts: 5, backoff, maxRetryAfterMs: 5_000, random: () => 0.5 });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 3_000 })).toEqual({ retry: true, delayMs: 3_000 });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 0 })).toEqual({ retry: true, delayMs: 0 });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 5_001 })).toEqual({ retry: false, because: 'retry-after', retryAfterMs: 5_001 });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 3e9 })).toEqual({ retry: false, because: 'retry-after', retryAfterMs: MAX_RETRY_AFTER_MS });
  });

  it('waits its longest in-process wait instead, when told to', () => {
    const policy = new RetryPolicy({ attempts: 5, backoff, maxRetryAfterMs: 30_000, longRetryAfter: 'wait-max' });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 3e9 })).toEqual({ retry: true, delayMs: 30_000 });
  });

  it('gives up when the wait would end after the deadline', () => {
    const clock = new ManualClock(1_000_000);
    const policy = new RetryPolicy({ attempts: Infinity, backoff, random: () => 0.5, clock });
    expect(policy.decide({ attemptsMade: 1, deadlineMs: 1_000_100 })).toEqual({ retry: true, delayMs: 100 });
    expect(policy.decide({ attemptsMade: 1, deadlineMs: 1_000_099 })).toEqual({ retry: false, because: 'deadline' });
    expect(policy.decide({ attemptsMade: 1, retryAfterMs: 2_000, deadlineMs: 1_001_000 })).toEqual({ retry: false, because: 'deadline', retryAfterMs: 2_000 });
    expect(policy.decide({ attemptsMade: 1_000_000 })).toEqual({ retry: true, delayMs: 2_500 });
  });

  it('refuses settings that make no sense, naming each', () => {
    expect(() => new RetryPolicy({ attempts: 0, backoff: { baseMs: -1, maxMs: 10 }, maxRetryAfterMs: MAX_RETRY_AFTER_MS + 1 })).toThrow(
      'backoff.baseMs must be a number >= 0 (got -1); attempts must be an integer >= 1 or Infinity (got 0); maxRetryAfterMs must be from 0 to 900000 (got 900001)',
    );
    expect(() => new RetryPolicy({ attempts: 2.5, backoff })).toThrow(/attempts/);
  });

  it('never waits a negative, fractional, infinite or over-the-cap time, whatever the server sent', () => {
    const anyMs = fc.oneof(fc.double(), fc.constantFrom(undefined, NaN, Infinity, -Infinity, 3e9, -1));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), anyMs, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom('give-up' as const, 'wait-max' as const), (attemptsMade, retryAfterMs, draw, longRetryAfter) => {
        const policy = new RetryPolicy({ attempts: Infinity, backoff, maxRetryAfterMs: 60_000, longRetryAfter, random: () => draw });
        const decision = policy.decide({ attemptsMade, retryAfterMs });
        if (!decision.retry) {
          expect(decision.because).toBe('retry-after');
          expect(decision.retryAfterMs).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
          return;
        }
        expect(Number.isInteger(decision.delayMs)).toBe(true);
        expect(decision.delayMs).toBeGreaterThanOrEqual(0);
        expect(decision.delayMs).toBeLessThanOrEqual(60_000);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});

describe('capRetryAfter', () => {
  it('keeps a wait whole and within [0, MAX_RETRY_AFTER_MS]', () => {
    expect([undefined, NaN, -5, 1.2, Infinity, 3e9].map(capRetryAfter)).toEqual([undefined, undefined, 0, 2, MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS]);
  });
});
