import { describeNoResponse } from '../net/connection-failure.js';
import { parseRetryAfter } from '../net/retry-after.js';

/**
 * What to do after one request, Vector style: `ok`; `retry` (transient, or credentials the SIEM
 * refused); `split` (413 on a request of several events: try the halves); `drop` (the SIEM will
 * never take these events).
 */
export type HttpOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; status?: number; auth: boolean; retryAfterMs?: number }
  | { kind: 'split'; reason: string; status: 413 }
  | { kind: 'drop'; reason: string; status: number };

/** What the classification needs of a response. */
export interface ResponseSummary {
  status: number;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | undefined;
  /** The start of the response body, secrets already hidden. */
  bodyExcerpt: string;
  /** Events in the request. */
  eventCount: number;
  /** Now, epoch ms, to turn a `Retry-After` date into a delay. */
  nowMs: number;
}

// Vector's retriable statuses; 401/403 are handled apart (retry, flagged for an alarm).
const RETRIABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Classifies a response. */
export function classifyResponse(response: ResponseSummary): HttpOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const reason = describeStatus(status, response.bodyExcerpt);
  if (status === 401 || status === 403) return { kind: 'retry', reason, status, auth: true };
  if (RETRIABLE.has(status)) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, response.nowMs);
    return retryAfterMs === undefined
      ? { kind: 'retry', reason, status, auth: false }
      : { kind: 'retry', reason, status, auth: false, retryAfterMs };
  }
  if (status === 413 && response.eventCount > 1) return { kind: 'split', reason, status };
  if (status === 413) return { kind: 'drop', reason: `${reason} (the event alone is too large for the SIEM)`, status };
  // 400 and every other 4xx, and unexpected 1xx/3xx (redirects are not followed: a POST body
  // must not be replayed to another host with our credentials).
  return { kind: 'drop', reason, status };
}

/** A request worth sending again: transient, or credentials the SIEM refused (`auth`). */
export type RetryOutcome = Extract<HttpOutcome, { kind: 'retry' }>;

/** Classifies a request that got no response, always worth retrying; describeNoResponse tells its reason. */
export function classifyFailure(error: unknown, timedOut: boolean, timeoutMs?: number): RetryOutcome {
  return retryWithoutResponse(describeNoResponse(error, timedOut, timeoutMs));
}

/** The outcome of a request that got no response, told by `reason` (secrets already hidden). */
export function retryWithoutResponse(reason: string): RetryOutcome {
  return { kind: 'retry', reason, auth: false };
}

function describeStatus(status: number, bodyExcerpt: string): string {
  return bodyExcerpt.length > 0 ? `HTTP ${status}: ${bodyExcerpt}` : `HTTP ${status}`;
}
