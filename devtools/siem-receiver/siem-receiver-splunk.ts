import { timingSafeEqual } from 'node:crypto';
import type { AcceptedItem, ItemRejecter, ProtocolAnswer, ProtocolHandler, ProtocolRequest } from './siem-receiver-protocol.js';
import { decodeBody, headerValue } from './siem-receiver-protocol.js';
import { splitConcatenatedJson } from './concatenated-json.js';

/** The local Splunk HTTP Event Collector's settings. */
export interface SplunkReceiverOptions {
  /** The one valid HEC token (`Authorization: Splunk <token>`). */
  token: string;
  /** Indexer acknowledgement on: a channel is required and every answer has an ackId. */
  ack?: boolean;
  /** Indexes the token may write to; absent: any. */
  indexes?: string[];
}

/** The HEC endpoints' fault switches and acknowledgement state. */
export interface SplunkReceiverControl {
  /** While held, ack queries answer `false` for every ackId. */
  holdAcks(held: boolean): void;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const ACK_PATH = '/services/collector/ack';

/**
 * `/services/collector/event` and `/services/collector/ack` as Splunk answers them: the token
 * checks (codes 2, 3, 4), the channel rules of acknowledgement (10, 11, 14), events read in
 * order, those before an invalid one stored, the invalid one reported by its number (5, 6, 7,
 * 12, 13). `rejectWhen` refuses an event: 400 as invalid data, other statuses for the request.
 */
export function createSplunkHandler(options: SplunkReceiverOptions, rejecter: () => ItemRejecter | undefined): ProtocolHandler & SplunkReceiverControl {
  const nextAckId = new Map<string, number>();
  let held = false;

  const handle = (request: ProtocolRequest): ProtocolAnswer => {
    if (request.method !== 'POST') return hec(405, 'Method not allowed', 8);
    const refused = checkToken(headerValue(request.headers, 'authorization'), options.token);
    if (refused) return refused;
    const channel = headerValue(request.headers, 'x-splunk-request-channel') ?? request.query.get('channel') ?? undefined;
    if (request.path === ACK_PATH) return acks(request, channel);
    if (options.ack && channel === undefined) return hec(400, 'Data channel is missing', 10);
    if (channel !== undefined && !GUID.test(channel)) return hec(400, 'Invalid data channel', 11);
    const decoded = decodeBody(request);
    if ('status' in decoded) return { status: decoded.status, body: JSON.stringify({ text: decoded.reason, code: 6 }), accepted: [] };
    if (decoded.text.trim() === '') return hec(400, 'No data', 5);
    const { values, invalidAt } = splitConcatenatedJson(decoded.text);
    const accepted: AcceptedItem[] = [];
    for (const [number, value] of values.entries()) {
      const problem = checkEvent(value, options.indexes);
      if (problem) return { ...hec(400, problem.text, problem.code, number), accepted };
      const item = toItem(value as Record<string, unknown>);
      const status = rejecter()?.({ format: item.format, text: item.text, json: item.json, path: request.path });
      if (status === 400) return { ...hec(400, 'Invalid data format', 6, number), accepted };
      if (status !== undefined) return injected(status);
      accepted.push(item);
    }
    if (invalidAt !== undefined) return { ...hec(400, 'Invalid data format', 6, invalidAt), accepted };
    if (!options.ack || channel === undefined) return { ...hec(200, 'Success', 0), accepted };
    const ackId = nextAckId.get(channel) ?? 0;
    nextAckId.set(channel, ackId + 1);
    return { status: 200, body: JSON.stringify({ text: 'Success', code: 0, ackId }), accepted };
  };

  const acks = (request: ProtocolRequest, channel: string | undefined): ProtocolAnswer => {
    if (!options.ack) return hec(400, 'ACK is disabled', 14);
    if (channel === undefined) return hec(400, 'Data channel is missing', 10);
    if (!GUID.test(channel)) return hec(400, 'Invalid data channel', 11);
    const decoded = decodeBody(request);
    const query = 'text' in decoded ? parseAckQuery(decoded.text) : undefined;
    if (query === undefined) return hec(400, 'Invalid data format', 6);
    // An ackId is known once issued on this channel; the indexers "confirm" at once unless held.
    const issued = nextAckId.get(channel) ?? 0;
    const answer = Object.fromEntries(query.map((id) => [String(id), !held && id < issued]));
    return { status: 200, body: JSON.stringify({ acks: answer }), accepted: [] };
  };

  return {
    serves: (path) => EVENT_PATHS.has(path) || path === ACK_PATH,
    handle,
    holdAcks: (value) => {
      held = value;
    },
  };
}

/** An HEC answer: `{"text","code"}`, with `invalid-event-number` when one event is at fault. */
function hec(status: number, text: string, code: number, invalidEventNumber?: number): ProtocolAnswer {
  const body = invalidEventNumber === undefined ? { text, code } : { text, code, 'invalid-event-number': invalidEventNumber };
  return { status, body: JSON.stringify(body), accepted: [] };
}

/** What a proxy or a busy HEC answers for an injected status. */
function injected(status: number): ProtocolAnswer {
  if (status === 503) return hec(503, 'Server is busy', 9);
  if (status === 401) return hec(401, 'Invalid authorization', 3);
  if (status === 403) return hec(403, 'Invalid token', 4);
  return hec(status, `Injected ${status}`, 8);
}

function checkToken(authorization: string | undefined, token: string): ProtocolAnswer | undefined {
  if (authorization === undefined) return hec(401, 'Token is required', 2);
  const match = /^Splunk (.+)$/.exec(authorization);
  if (!match) return hec(401, 'Invalid authorization', 3);
  const given = Buffer.from(match[1]!, 'utf8');
  const expected = Buffer.from(token, 'utf8');
  // Constant-time, as a real collector compares secrets.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return hec(403, 'Invalid token', 4);
  return undefined;
}

/** The problem of one parsed event object, as HEC words it. */
function checkEvent(value: unknown, indexes: string[] | undefined): { text: string; code: number } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { text: 'Invalid data format', code: 6 };
  const record = value as Record<string, unknown>;
  if (!('event' in record)) return { text: 'Event field is required', code: 12 };
  const event = record['event'];
  if (event === null || (typeof event === 'string' && event.trim() === '')) return { text: 'Event field cannot be blank', code: 13 };
  const time = record['time'];
  if (time !== undefined && !(typeof time === 'number' || (typeof time === 'string' && /^\d+(\.\d+)?$/.test(time)))) return { text: 'Invalid data format', code: 6 };
  for (const name of ['host', 'source', 'sourcetype', 'index']) {
    if (record[name] !== undefined && typeof record[name] !== 'string') return { text: 'Invalid data format', code: 6 };
  }
  const index = record['index'];
  if (typeof index === 'string' && indexes !== undefined && !indexes.includes(index)) return { text: 'Incorrect index', code: 7 };
  return undefined;
}

function toItem(record: Record<string, unknown>): AcceptedItem {
  const event = record['event'];
  const meta: Record<string, unknown> = {};
  for (const name of ['time', 'host', 'source', 'sourcetype', 'index']) if (record[name] !== undefined) meta[name] = record[name];
  if (typeof event === 'string') return { format: event.startsWith('CEF:') ? 'cef' : 'json', text: event, meta };
  return { format: 'json', text: JSON.stringify(event), json: event, meta };
}

function parseAckQuery(text: string): number[] | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    const acks = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['acks'] : undefined;
    return Array.isArray(acks) && acks.every((id) => Number.isInteger(id)) ? (acks as number[]) : undefined;
  } catch {
    return undefined;
  }
}
