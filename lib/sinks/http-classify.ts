import { describeConnectionFailure } from '../net/connection-failure.js';
import { parseRetryAfter } from '../net/retry-after.js';

export { EXCERPT_CHARS, excerpt } from '../net/server-answer.js';

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

/**
 * Classifies a request that got no response: always worth retrying. The reason says what to look
 * at: the timeout and its length (the SIEM may still store what it got: a retry can be a copy),
 * or the connection's error code with what it means (refused by host:port, the TLS certificate
 * code, a host name not found).
 */
export function classifyFailure(error: unknown, timedOut: boolean, timeoutMs?: number): HttpOutcome {
  if (timedOut) {
    const within = timeoutMs === undefined ? 'in time' : `within ${timeoutMs} ms`;
    return { kind: 'retry', reason: `timeout: no complete response ${within}`, auth: false };
  }
  const { code, text } = describeConnectionFailure(error);
  return { kind: 'retry', reason: `connection error${code ? ` ${code}` : ''}: ${text}`, auth: false };
}

function describeStatus(status: number, bodyExcerpt: string): string {
  return bodyExcerpt.length > 0 ? `HTTP ${status}: ${bodyExcerpt}` : `HTTP ${status}`;
}
