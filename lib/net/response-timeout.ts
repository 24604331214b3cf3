/**
 * How far a destination's response timeout may grow: 8 x its base (a sink's `SIEM_TIMEOUT_MS`),
 * three doublings. A server that answers within it receives at most log2(8) + 1 = 4 copies of a
 * request, whatever the run mode; one slower than that is down for all practical purposes, and
 * waiting longer would only hold a request slot (and, on AWS, the Lambda) for nothing.
 */
export const RESPONSE_TIMEOUT_CEILING_FACTOR = 8;

/** One request's share of the timeout: how long it may wait, and what to call when it ends. */
export interface TimedRequest {
  /** The timeout this request uses, ms. */
  readonly timeoutMs: number;
  /** The server answered (any status): a fast answer steps the timeout down. */
  answered(): void;
  /** No complete response within `timeoutMs`: the next requests wait twice as long. */
  timedOut(): void;
}

/**
 * The response timeout of one destination (a SIEM, an identity provider), adapting to how fast it
 * answers. A request that times out may still be stored by the server, so sending it again with
 * the same timeout only makes copies: after a timeout the next requests wait twice as long as the
 * one that timed out, up to RESPONSE_TIMEOUT_CEILING_FACTOR x `baseMs`. An answer in under half
 * the current timeout halves it, never below `baseMs` (and never below the answer's own time: the
 * halving stops once answers take over half of it, so a steady server does not oscillate).
 *
 * Requests in flight together share the level they started at: several that time out at one level
 * double it once, not once each.
 */
export class ResponseTimeout {
  readonly ceilingMs: number;
  private currentMs: number;

  /** `now` is a monotonic millisecond clock (performance.now); tests pass their own. */
  constructor(
    readonly baseMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(baseMs) || baseMs < 1) throw new RangeError(`the response timeout must be a positive integer of milliseconds, got ${String(baseMs)}`);
    this.ceilingMs = baseMs * RESPONSE_TIMEOUT_CEILING_FACTOR;
    this.currentMs = baseMs;
  }

  /** The timeout the next request gets, ms. */
  get timeoutMs(): number {
    return this.currentMs;
  }

  /** Starts one request at the current level. */
  start(): TimedRequest {
    const timeoutMs = this.currentMs;
    const started = this.now();
    let ended = false;
    const end = (apply: () => void): void => {
      if (ended) return;
      ended = true;
      apply();
    };
    return {
      timeoutMs,
      answered: () => end(() => this.noteAnswer(this.now() - started)),
      timedOut: () => end(() => this.noteTimeout(timeoutMs)),
    };
  }

  private noteTimeout(usedMs: number): void {
    this.currentMs = Math.max(this.currentMs, Math.min(this.ceilingMs, usedMs * 2));
  }

  private noteAnswer(elapsedMs: number): void {
    if (elapsedMs < this.currentMs / 2) this.currentMs = Math.max(this.baseMs, this.currentMs / 2);
  }
}

/**
 * The most time `attempts` tries of one request can wait for answers from a server too slow for
 * all of them: each its timeout, doubling from `baseMs` up to the ceiling (100 ms and 3 attempts:
 * 100 + 200 + 400 ms). What `run --once` must allow one delivery for its last try to be answered.
 */
export function worstCaseResponseWaitMs(attempts: number, baseMs: number): number {
  let total = 0;
  for (let attempt = 0; attempt < attempts; attempt += 1) total += Math.min(baseMs * 2 ** attempt, baseMs * RESPONSE_TIMEOUT_CEILING_FACTOR);
  return total;
}
