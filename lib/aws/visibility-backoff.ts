import { backoffCeilingMs, jitteredBackoffMs } from '../net/backoff.js';
import { capRetryAfter } from '../net/retry-policy.js';

/** SQS's largest visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** SQS's largest `DelaySeconds`: 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/** The two settings of the forwarder's backoff (RETRY_BASE_SECONDS, RETRY_MAX_SECONDS). */
export interface BackoffSettings {
  /** The ceiling of the wait after the first failed receive. */
  baseSeconds: number;
  /** No ceiling is higher; itself at most {@link MAX_VISIBILITY_SECONDS}. */
  maxSeconds: number;
}

/** The inputs of {@link backoffSeconds}. */
export interface BackoffInput extends BackoffSettings {
  /** The message's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** The SIEM's `Retry-After`, a floor. */
  retryAfterMs?: number;
  /** The hard ceiling SQS allows for how the wait is applied. @default MAX_VISIBILITY_SECONDS */
  limitSeconds?: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

/**
 * The ceiling of the wait after the `receiveCount`-th failed receive, in whole seconds:
 * `c(n) = min(max, base * 2^(n-1), 12 h)`.
 */
export function backoffCeilingSeconds(receiveCount: number, settings: BackoffSettings): number {
  const ceilingMs = backoffCeilingMs(Math.max(1, receiveCount), { baseMs: settings.baseSeconds * 1000, maxMs: settings.maxSeconds * 1000 });
  return Math.floor(Math.min(ceilingMs / 1000, MAX_VISIBILITY_SECONDS));
}

/**
 * The least the wait after the `receiveCount`-th failed receive can be: `floor(c(n) / 2)`, the
 * fixed half of the equal jitter. What the retry window (retry-window.ts) counts on.
 */
export function minimumBackoffSeconds(receiveCount: number, settings: BackoffSettings): number {
  return Math.floor(backoffCeilingSeconds(receiveCount, settings) / 2);
}

/**
 * How long a failed message waits before its next try, in whole seconds (what SQS takes):
 * exponential backoff with equal jitter by receive count, uniform in `[floor(c(n)/2), c(n)]`.
 * The random half keeps records failing together from coming back together; the fixed half is
 * what makes the retry window a guarantee (full jitter may draw 0 every time, and then no
 * number of receives rides out any outage). Never shorter than the SIEM's `Retry-After`
 * (rounded up), never longer than `limitSeconds`.
 */
export function backoffSeconds(input: BackoffInput): number {
  const limit = Math.min(input.limitSeconds ?? MAX_VISIBILITY_SECONDS, MAX_VISIBILITY_SECONDS);
  const ceiling = backoffCeilingSeconds(input.receiveCount, input);
  const fixed = Math.floor(ceiling / 2);
  // The random half is lib/net's full jitter over the whole seconds 0 .. ceiling - fixed.
  const spanMs = (ceiling - fixed + 1) * 1000;
  const jittered = fixed + Math.floor(jitteredBackoffMs(1, { baseMs: spanMs, maxMs: spanMs }, input.random) / 1000);
  // A Retry-After is capped as everywhere in the product (15 minutes), then rounded up to whole seconds.
  const floor = Math.ceil((capRetryAfter(input.retryAfterMs) ?? 0) / 1000);
  return Math.max(0, Math.min(limit, Math.max(jittered, floor)));
}
