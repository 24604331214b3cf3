import type { RequestOutcome } from '../batch-delivery.js';
import { parseRetryAfter } from '../../net/retry-after.js';
import { excerpt } from '../../net/server-answer.js';
import { parseJsonBody } from '../../net/http-exchange.js';

/** HEC's own status codes (the `code` of every answer), as Splunk documents them. */
export const HEC_CODES = {
  success: 0,
  tokenDisabled: 1,
  tokenRequired: 2,
  invalidAuthorization: 3,
  invalidToken: 4,
  noData: 5,
  invalidDataFormat: 6,
  incorrectIndex: 7,
  internalError: 8,
  serverBusy: 9,
  channelMissing: 10,
  invalidChannel: 11,
  eventFieldRequired: 12,
  eventFieldBlank: 13,
  ackDisabled: 14,
  indexedFieldsError: 15,
} as const;

/**
 * Codes that report one bad event by its `invalid-event-number`. HEC reads a request's events
 * in order and indexes those before the bad one: they are delivered, the bad one is dropped,
 * and the rest were never read, so they are sent again.
 */
const EVENT_LEVEL_CODES = new Set<number>([HEC_CODES.invalidDataFormat, HEC_CODES.eventFieldRequired, HEC_CODES.eventFieldBlank, HEC_CODES.indexedFieldsError]);

/** An HEC answer's body, as far as it is readable. */
export interface HecAnswer {
  text?: string;
  code?: number;
  ackId?: number;
  invalidEventNumber?: number;
}

/** Reads `{"text", "code", "ackId"?, "invalid-event-number"?}`; fields of the wrong type are left out. */
export function parseHecAnswer(body: string): HecAnswer {
  const json = parseJsonBody(body);
  if (typeof json !== 'object' || json === null) return {};
  const record = json as Record<string, unknown>;
  const answer: HecAnswer = {};
  if (typeof record['text'] === 'string') answer.text = record['text'];
  if (Number.isInteger(record['code'])) answer.code = record['code'] as number;
  if (Number.isInteger(record['ackId'])) answer.ackId = record['ackId'] as number;
  if (Number.isInteger(record['invalid-event-number'])) answer.invalidEventNumber = record['invalid-event-number'] as number;
  return answer;
}

/** What the sink needs of an HEC response. */
export interface HecResponse {
  status: number;
  body: string;
  retryAfter?: string | undefined;
  eventCount: number;
  nowMs: number;
}

/**
 * Classifies an answer of `/services/collector/event`: 2xx ok (with its ackId); 401/403
 * (codes 1-4) retry flagged as an auth failure; 429, 503 (code 9, busy) and every 5xx retry;
 * 413 split; a 400 naming its bad event drops that one event, keeps the ones before and
 * resends the ones after; any other 4xx (no data, wrong index, channel or ack errors) drops.
 */
export function classifyHecResponse(response: HecResponse): { outcome: RequestOutcome; ackId?: number } {
  const { status, eventCount } = response;
  const answer = parseHecAnswer(response.body);
  if (status >= 200 && status < 300) return answer.ackId === undefined ? { outcome: { kind: 'ok' } } : { outcome: { kind: 'ok' }, ackId: answer.ackId };
  const reason = describeHecAnswer(status, answer, response.body);
  if (status === 401 || status === 403) return { outcome: { kind: 'retry', reason, status, auth: true } };
  if (status === 429 || status === 408 || status >= 500 || answer.code === HEC_CODES.serverBusy) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, response.nowMs);
    return { outcome: retryAfterMs === undefined ? { kind: 'retry', reason, status, auth: false } : { kind: 'retry', reason, status, auth: false, retryAfterMs } };
  }
  if (status === 413) {
    return { outcome: eventCount > 1 ? { kind: 'split', reason, status } : { kind: 'drop', reason: `${reason} (the event alone is too large for HEC)`, status } };
  }
  const bad = answer.invalidEventNumber;
  if (answer.code !== undefined && EVENT_LEVEL_CODES.has(answer.code) && bad !== undefined && bad >= 0 && bad < eventCount) {
    const retry = Array.from({ length: eventCount - bad - 1 }, (_, i) => bad + 1 + i);
    return { outcome: { kind: 'partial', reason, status, retry, dropped: [{ position: bad, reason, status }] } };
  }
  return { outcome: { kind: 'drop', reason, status } };
}

/** `HEC 400 code 6: Invalid data format (event 3)`, or the body's excerpt when it is not an HEC answer. */
export function describeHecAnswer(status: number, answer: HecAnswer, body: string): string {
  if (answer.code === undefined) return body.trim().length > 0 ? `HEC ${status}: ${excerpt(body)}` : `HEC ${status}`;
  const event = answer.invalidEventNumber === undefined ? '' : ` (event ${answer.invalidEventNumber})`;
  return `HEC ${status} code ${answer.code}: ${excerpt(answer.text ?? '')}${event}`;
}
