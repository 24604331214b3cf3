/**
 * The one decision every retry loop of the product makes after a failed attempt: retry after how
 * many milliseconds, or give up and why (attempts spent, a deadline the wait would pass, or a
 * server asking for a wait longer than this caller may spend in process). Backoff is full jitter
 * (see backoff.ts); a server's `Retry-After` (see retry-after.ts) replaces the draw.
 */
import type { Clock } from '../core/time/clock.js';
import { systemClock } from '../core/time/clock.js';
import type { BackoffSettings } from './backoff.js';
import { backoffProblems, jitteredBackoffMs } from './backoff.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';

/** What a caller does with a `Retry-After` longer than it may wait in process. */
export type LongRetryAfter =
  /** Give up (`because: 'retry-after'`) and hand the wait to someone who can wait (a queue). */
  | 'give-up'
  /** Wait `maxRetryAfterMs` and try again. */
  | 'wait-max';

/** How a caller retries. */
export interface RetryPolicySettings {
  /** Attempts in all, the first included: an integer >= 1, or Infinity (until stopped). */
  attempts: number;
  backoff: BackoffSettings;
  /** The longest server-asked wait spent in process. @default MAX_RETRY_AFTER_MS */
  maxRetryAfterMs?: number;
  /** @default 'give-up' */
  longRetryAfter?: LongRetryAfter;
  /** Uniform in [0, 1); tests pass a seeded one. @default Math.random */
  random?: () => number;
  /** Reads "now" for deadlines. @default systemClock */
  clock?: Clock;
}

/** What is known after a failed attempt. */
export interface FailedAttempt {
  /** Attempts made so far, the failed one included (1 after the first). */
  attemptsMade: number;
  /** The server's `Retry-After`, in ms (see parseRetryAfter). */
  retryAfterMs?: number | undefined;
  /** Epoch ms by which a retry must have started; no wait runs past it. */
  deadlineMs?: number | undefined;
}

/** Why a caller stops retrying. */
export type GiveUpReason = 'attempts' | 'deadline' | 'retry-after';

/** Retry after `delayMs`, or give up. `retryAfterMs` is the server's ask, capped, when there was one. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; because: GiveUpReason; retryAfterMs?: number };

/** One caller's retry rules; see {@link RetryPolicy.decide}. Stateless, so one policy serves concurrent loops. */
export class RetryPolicy {
  readonly attempts: number;
  readonly backoff: BackoffSettings;
  readonly maxRetryAfterMs: number;
  private readonly longRetryAfter: LongRetryAfter;
  private readonly random: () => number;
  private readonly clock: Clock;

  /** @throws RangeError naming every setting that makes no sense. */
  constructor(settings: RetryPolicySettings) {
    const problems = backoffProblems(settings.backoff, { base: 'backoff.baseMs', max: 'backoff.maxMs' });
    if (!(settings.attempts === Infinity || (Number.isInteger(settings.attempts) && settings.attempts >= 1))) {
      problems.push(`attempts must be an integer >= 1 or Infinity (got ${String(settings.attempts)})`);
    }
    const maxRetryAfterMs = settings.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
    if (!(maxRetryAfterMs >= 0 && maxRetryAfterMs <= MAX_RETRY_AFTER_MS)) {
      problems.push(`maxRetryAfterMs must be from 0 to ${MAX_RETRY_AFTER_MS} (got ${String(maxRetryAfterMs)})`);
    }
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.attempts = settings.attempts;
    this.backoff = { ...settings.backoff };
    this.maxRetryAfterMs = maxRetryAfterMs;
    this.longRetryAfter = settings.longRetryAfter ?? 'give-up';
    this.random = settings.random ?? Math.random;
    this.clock = settings.clock ?? systemClock;
  }

  /** Whether another attempt may follow `attemptsMade` attempts, by the budget alone. */
  hasAttemptsLeft(attemptsMade: number): boolean {
    return attemptsMade < this.attempts;
  }

  /**
   * What to do after a failed attempt. The wait is always finite, whole and in
   * `[0, max(backoff.maxMs, maxRetryAfterMs)]`, whatever the server sent.
   */
  decide(failed: FailedAttempt): RetryDecision {
    const retryAfterMs = capRetryAfter(failed.retryAfterMs);
    const giveUp = (because: GiveUpReason): RetryDecision => (retryAfterMs === undefined ? { retry: false, because } : { retry: false, because, retryAfterMs });
    if (!this.hasAttemptsLeft(failed.attemptsMade)) return giveUp('attempts');
    let delayMs: number;
    if (retryAfterMs === undefined) delayMs = jitteredBackoffMs(failed.attemptsMade, this.backoff, this.random);
    else if (retryAfterMs <= this.maxRetryAfterMs) delayMs = retryAfterMs;
    else if (this.longRetryAfter === 'wait-max') delayMs = this.maxRetryAfterMs;
    else return giveUp('retry-after');
    if (failed.deadlineMs !== undefined && !(this.clock.now() + delayMs <= failed.deadlineMs)) return giveUp('deadline');
    return { retry: true, delayMs };
  }
}

/** A `Retry-After` in ms as any part of the product may honour it: whole, in `[0, MAX_RETRY_AFTER_MS]`, or undefined when unusable. */
export function capRetryAfter(retryAfterMs: number | undefined): number | undefined {
  if (retryAfterMs === undefined || Number.isNaN(retryAfterMs)) return undefined;
  return Math.min(Math.max(0, Math.ceil(retryAfterMs)), MAX_RETRY_AFTER_MS);
}
