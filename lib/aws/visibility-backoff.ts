/** SQS's largest visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** SQS's largest `DelaySeconds`: 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/** The inputs of {@link backoffSeconds}. */
export interface BackoffInput {
  /** The message's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** The first step (the ceiling of the jitter on the first failure). */
  baseSeconds: number;
  /** The ceiling of every step; itself capped by `limitSeconds`. */
  maxSeconds: number;
  /** The SIEM's `Retry-After`, a floor. */
  retryAfterMs?: number;
  /** The hard ceiling SQS allows for how the wait is applied. @default MAX_VISIBILITY_SECONDS */
  limitSeconds?: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

/**
 * How long a failed message waits before its next try, in whole seconds (what SQS takes):
 * exponential backoff with full jitter (uniform in [0, min(max, base * 2^(n-1))]) by receive
 * count, so many records failing together do not come back together; never shorter than the
 * SIEM's `Retry-After` (rounded up), never longer than `limitSeconds`.
 */
export function backoffSeconds(input: BackoffInput): number {
  const limit = Math.min(input.limitSeconds ?? MAX_VISIBILITY_SECONDS, MAX_VISIBILITY_SECONDS);
  const attempt = Math.max(1, Math.floor(input.receiveCount));
  // The exponent is bounded: 2^1024 is Infinity, and 0 * Infinity (a base of 0) is NaN.
  const ceiling = Math.min(input.maxSeconds, input.baseSeconds * 2 ** Math.min(attempt - 1, 60), limit);
  const jittered = Math.floor(input.random() * (ceiling + 1));
  const floor = input.retryAfterMs === undefined ? 0 : Math.ceil(input.retryAfterMs / 1000);
  return Math.max(0, Math.min(limit, Math.max(jittered, floor)));
}
