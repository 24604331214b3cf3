import { MAX_RETRY_AFTER_MS } from '../net/retry-after.js';
import { backoffCeilingSeconds, minimumBackoffSeconds } from './visibility-backoff.js';
import type { BackoffSettings } from './visibility-backoff.js';

/** SQS's largest `maxReceiveCount` in a redrive policy. */
export const SQS_MAX_RECEIVE_COUNT = 1_000;

/**
 * The longest a SIEM's `Retry-After` can make one wait: the forwarder honours it as a floor, and
 * lib/net caps it at 15 minutes, which is also SQS's longest message delay.
 */
export const RETRY_AFTER_CAP_SECONDS = MAX_RETRY_AFTER_MS / 1000;

/** What {@link retryWindow} derives. */
export interface RetryWindow {
  /**
   * The queue's `maxReceiveCount`: `N = 1 + k`, with `k` the fewest retries whose minimum waits
   * add up to the window (RETRY_MAX_SECONDS):
   * `k = min { k : sum(n = 1..k) floor(c(n) / 2) >= RETRY_MAX_SECONDS }`, `c(n) = min(max, base * 2^(n-1))`.
   */
  maxReceiveCount: number;
  /**
   * The SIEM outage every message rides out without reaching the DLQ: the sum of the minimum
   * waits of the `N - 1` retries, at least RETRY_MAX_SECONDS. A message tried first when the
   * outage began is tried for the `N`-th time only after this much time, so that try meets a SIEM
   * that is back; the `N`-th wait is margin on top.
   */
  ridesOutSeconds: number;
  /**
   * The longest a message can take from its first receive to the DLQ: every one of the `N` waits
   * at the largest it can be (its ceiling, a capped `Retry-After`, or the queue's visibility
   * timeout after a receive the forwarder did not survive) plus the forwarder's timeout per
   * receive. The queue must keep messages at least this long, or an outage loses them instead of
   * dead-lettering them.
   */
  longestToDeadLetterSeconds: number;
}

/** The receive count cannot be derived from these settings. */
export class RetryWindowError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'RetryWindowError';
  }
}

/**
 * Derives the queue's `maxReceiveCount` from the forwarder's backoff so that a SIEM outage up
 * to RETRY_MAX_SECONDS dead-letters nothing. Counts only on the guaranteed minimum of each wait
 * (equal jitter's fixed half, visibility-backoff.ts): a receive the forwarder survives always
 * waits at least that long, whatever the draw. Receives that do not count against the window:
 * records skipped at the invocation's deadline (sent back as new messages) and partial
 * deliveries (their rest is a new message), both starting from receive 1 again.
 *
 * @throws RetryWindowError when no count up to SQS's 1,000 reaches the window (a base of 0).
 */
export function retryWindow(
  settings: BackoffSettings,
  queue: { visibilityTimeoutSeconds: number; forwarderTimeoutSeconds: number },
): RetryWindow {
  const window = settings.maxSeconds;
  let retries = 0;
  let ridesOut = 0;
  while (ridesOut < window) {
    if (retries + 1 >= SQS_MAX_RECEIVE_COUNT) {
      throw new RetryWindowError(
        `RETRY_BASE_SECONDS ${settings.baseSeconds} cannot ride out RETRY_MAX_SECONDS ${window} within SQS's ${SQS_MAX_RECEIVE_COUNT} receives ` +
          `(${retries} retries wait at least ${ridesOut} s): raise RETRY_BASE_SECONDS`,
      );
    }
    retries += 1;
    ridesOut += minimumBackoffSeconds(retries, settings);
  }
  const maxReceiveCount = retries + 1;
  let longest = 0;
  for (let receive = 1; receive <= maxReceiveCount; receive++) {
    const wait = Math.max(backoffCeilingSeconds(receive, settings), RETRY_AFTER_CAP_SECONDS, queue.visibilityTimeoutSeconds);
    longest += wait + queue.forwarderTimeoutSeconds;
  }
  return { maxReceiveCount, ridesOutSeconds: ridesOut, longestToDeadLetterSeconds: longest };
}
