import type { PartialOutcome, RequestOutcome } from '../batch-delivery.js';
import { parseRetryAfter } from '../../net/retry-after.js';
import { excerpt } from '../../net/server-answer.js';
import { parseJsonBody } from '../../net/http-exchange.js';

/** What the sink needs of a `_bulk` response. */
export interface BulkResponse {
  status: number;
  body: string;
  retryAfter?: string | undefined;
  eventCount: number;
  nowMs: number;
}

const RETRIABLE = new Set([408, 429]);

/**
 * Classifies a `_bulk` answer. The request: 401/403 retry flagged as an auth failure; 408,
 * 429 and 5xx retry; 413 split; other 4xx drop with Elasticsearch's error type and reason.
 * A 2xx is read item by item: 2xx and 409 (the `_id` exists: delivered before) are ok, 429
 * and 5xx are sent again (retry-partial), any other status drops that event with its error.
 * A 2xx whose items cannot be read is retried whole: the `_id`s make that safe.
 */
export function classifyBulkResponse(response: BulkResponse): RequestOutcome {
  const { status, eventCount } = response;
  if (status >= 200 && status < 300) return classifyItems(response.body, eventCount, status);
  const reason = `HTTP ${status}: ${describeError(response.body)}`;
  if (status === 401 || status === 403) return { kind: 'retry', reason, status, auth: true };
  if (RETRIABLE.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, response.nowMs);
    return retryAfterMs === undefined ? { kind: 'retry', reason, status, auth: false } : { kind: 'retry', reason, status, auth: false, retryAfterMs };
  }
  if (status === 413) return eventCount > 1 ? { kind: 'split', reason, status } : { kind: 'drop', reason: `${reason} (the event alone is too large for Elasticsearch)`, status };
  return { kind: 'drop', reason, status };
}

function classifyItems(body: string, eventCount: number, status: number): RequestOutcome {
  const json = parseJsonBody(body);
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (record['errors'] === false) return { kind: 'ok' };
  const items = record['items'];
  if (!Array.isArray(items) || items.length !== eventCount) {
    return { kind: 'retry', reason: `HTTP ${status}: unreadable _bulk answer (${Array.isArray(items) ? `${items.length} items for ${eventCount} events` : 'no items'})`, status, auth: false };
  }
  const partial: PartialOutcome = { kind: 'partial', reason: '', status, retry: [], dropped: [] };
  const reasons = new Map<string, number>();
  items.forEach((item, position) => {
    const result = itemResult(item);
    if ((result.status >= 200 && result.status < 300) || result.status === 409) return;
    const reason = `item ${result.status}: ${result.error}`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    if (RETRIABLE.has(result.status) || result.status >= 500 || result.status === 0) partial.retry.push(position);
    else partial.dropped.push({ position, reason, status: result.status });
  });
  if (partial.retry.length === 0 && partial.dropped.length === 0) return { kind: 'ok' };
  // One line for the error metric: the distinct item errors, most frequent first.
  const summary = [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} x ${reason}`);
  partial.reason = excerpt(`_bulk: ${summary.join('; ')}`);
  return partial;
}

/** An item's status and `type: reason`; status 0 when the item is unreadable (then retried). */
function itemResult(item: unknown): { status: number; error: string } {
  const action = typeof item === 'object' && item !== null ? Object.values(item as Record<string, unknown>)[0] : undefined;
  if (typeof action !== 'object' || action === null) return { status: 0, error: 'unreadable item' };
  const fields = action as Record<string, unknown>;
  const status = Number.isInteger(fields['status']) ? (fields['status'] as number) : 0;
  return { status, error: errorText(fields['error']) };
}

/** Elasticsearch's `{"error": {"type", "reason"}}` as `type: reason`, else the body's excerpt. */
function describeError(body: string): string {
  const json = parseJsonBody(body);
  const error = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['error'] : undefined;
  return error === undefined ? excerpt(body) : errorText(error);
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return excerpt(error);
  if (typeof error !== 'object' || error === null) return 'no error given';
  const fields = error as Record<string, unknown>;
  const type = typeof fields['type'] === 'string' ? fields['type'] : 'error';
  return typeof fields['reason'] === 'string' ? `${type}: ${excerpt(fields['reason'])}` : type;
}
