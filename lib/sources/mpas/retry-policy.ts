import { MAX_RETRY_AFTER_MS } from '../../net/retry-after.js';
import { RetryPolicy as SharedRetryPolicy } from '../../net/retry-policy.js';

/** The retry settings of the MPAS client; every field has a default. */
export interface RetrySettings {
  /** Attempts in all, the first included. @default 5 */
  attempts?: number;
  /** The backoff ceiling of the first retry; it doubles at every retry. @default 500 */
  baseDelayMs?: number;
  /** No wait is longer than this, not even one a server asks for with `Retry-After`. @default 30_000 */
  maxDelayMs?: number;
}

/** What the policy makes of one response status. */
export type StatusVerdict = 'ok' | 'retry' | 'fail';

/**
 * When to try an MPAS request again and how long to wait first. 429 and 5xx are transient; so
 * are timeouts and connection failures (no status). The wait is lib/net's full-jitter backoff;
 * a `Retry-After` from the server replaces the draw, and one longer than `maxDelayMs` is waited
 * as `maxDelayMs` (the poller has no queue to hand a long wait to).
 */
export class RetryPolicy extends SharedRetryPolicy {
  constructor(settings: RetrySettings = {}, random: () => number = Math.random) {
    const attempts = settings.attempts ?? 5;
    const baseDelayMs = settings.baseDelayMs ?? 500;
    const maxDelayMs = settings.maxDelayMs ?? 30_000;
    const problems: string[] = [];
    if (!Number.isInteger(attempts) || attempts < 1) problems.push(`retry.attempts must be an integer >= 1 (got ${attempts})`);
    if (!(baseDelayMs >= 0) || !Number.isFinite(baseDelayMs)) problems.push(`retry.baseDelayMs must be >= 0 (got ${baseDelayMs})`);
    if (!(maxDelayMs >= baseDelayMs) || !Number.isFinite(maxDelayMs)) problems.push(`retry.maxDelayMs must be >= retry.baseDelayMs (got ${maxDelayMs})`);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    super({
      attempts,
      backoff: { baseMs: baseDelayMs, maxMs: maxDelayMs },
      maxRetryAfterMs: Math.min(maxDelayMs, MAX_RETRY_AFTER_MS),
      longRetryAfter: 'wait-max',
      random,
    });
  }

  /** Whether a response with this status is a result (`ok`), worth another attempt, or neither. */
  classify(status: number): StatusVerdict {
    if (status === 429 || status >= 500) return 'retry';
    if (status >= 200 && status < 300) return 'ok';
    return 'fail';
  }
}
