import { RetryPolicy } from '../net/retry-policy.js';

/**
 * A `Retry-After` longer than this ends the delivery instead of being waited for in-process:
 * the queue's visibility timeout (AWS) or the local consumer does long waits without holding a
 * Lambda or a request slot.
 */
export const MAX_IN_PROCESS_RETRY_AFTER_MS = 5_000;

/** The retry settings every sink shares (its `attempts` and `backoffBaseMs` / `backoffMaxMs`). */
export interface SinkRetrySettings {
  attempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  random: () => number;
}

/**
 * How a sink retries one request within a `deliver()`: `attempts` tries with full-jitter backoff
 * (or the SIEM's `Retry-After` instead), and a `Retry-After` longer than
 * MAX_IN_PROCESS_RETRY_AFTER_MS handed back to the caller.
 */
export function sinkRetryPolicy(settings: SinkRetrySettings): RetryPolicy {
  return new RetryPolicy({
    attempts: settings.attempts,
    backoff: { baseMs: settings.backoffBaseMs, maxMs: settings.backoffMaxMs },
    maxRetryAfterMs: MAX_IN_PROCESS_RETRY_AFTER_MS,
    longRetryAfter: 'give-up',
    random: settings.random,
  });
}
