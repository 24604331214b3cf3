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
 * When to try a request again and how long to wait first. 429 and 5xx are transient; so are
 * timeouts and connection failures (no status). The wait is exponential backoff with full jitter
 * (a uniform draw in `[0, min(max, base * 2^retry)]`), so that many pollers hit by the same outage
 * do not come back in step; a `Retry-After` from the server replaces the draw, capped by the max.
 */
export class RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The backoff ceiling of the first retry. */
  readonly baseDelayMs: number;
  /** The longest wait, backoff or `Retry-After`. */
  readonly maxDelayMs: number;

  constructor(
    settings: RetrySettings = {},
    private readonly random: () => number = Math.random,
  ) {
    this.attempts = settings.attempts ?? 5;
    this.baseDelayMs = settings.baseDelayMs ?? 500;
    this.maxDelayMs = settings.maxDelayMs ?? 30_000;
    const problems: string[] = [];
    if (!Number.isInteger(this.attempts) || this.attempts < 1) problems.push(`retry.attempts must be an integer >= 1 (got ${this.attempts})`);
    if (!(this.baseDelayMs >= 0)) problems.push(`retry.baseDelayMs must be >= 0 (got ${this.baseDelayMs})`);
    if (!(this.maxDelayMs >= this.baseDelayMs)) problems.push(`retry.maxDelayMs must be >= retry.baseDelayMs (got ${this.maxDelayMs})`);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
  }

  /** Whether a response with this status is a result (`ok`), worth another attempt, or neither. */
  classify(status: number): StatusVerdict {
    if (status === 429 || status >= 500) return 'retry';
    if (status >= 200 && status < 300) return 'ok';
    return 'fail';
  }

  /** Whether another attempt may follow attempt number `attempt` (0 for the first). */
  canRetryAfter(attempt: number): boolean {
    return attempt + 1 < this.attempts;
  }

  /**
   * How long to wait before the retry that follows attempt number `attempt` (0 for the first).
   * @param retryAfterMs the server's own request (`Retry-After`), which wins over the backoff.
   */
  delayMs(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), this.maxDelayMs);
    // 2^attempt overflows to Infinity long after min() has capped it, so no guard is needed.
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * ceiling);
  }
}

/**
 * Reads a `Retry-After` header: either delay-seconds (`"120"`) or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, taken relative to `nowMs`). A date in the past means
 * "now" (0); an absent or unreadable header gives undefined, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates (IMF-fixdate and the two obsolete forms) all start with a weekday name; without
  // this check V8's Date.parse would read values such as "1.5" or "2030" as dates.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
