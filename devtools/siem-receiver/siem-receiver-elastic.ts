import { timingSafeEqual } from 'node:crypto';
import type { AcceptedItem, ItemRejecter, ProtocolAnswer, ProtocolHandler, ProtocolRequest } from './siem-receiver-protocol.js';
import { decodeBody, headerValue } from './siem-receiver-protocol.js';

/** The local Elasticsearch's credentials; with neither, security is off (as on a dev cluster). */
export interface ElasticReceiverOptions {
  /** The encoded API key, expected as `Authorization: ApiKey <key>`. */
  apiKey?: string;
  basic?: { username: string; password: string };
}

/** One `_bulk` item, as `rejectItemsWhen` sees it. */
export interface BulkItemView {
  op: string;
  index: string;
  id?: string;
  document: unknown;
}

/** `_bulk`'s own fault switch: a status for an item fails that item alone (429, 503, 400...). */
export type BulkItemRejecter = (item: BulkItemView) => number | undefined;

const OPS = ['create', 'delete', 'index', 'update'];
const ITEM_ERRORS: Record<number, string> = { 400: 'document_parsing_exception', 409: 'version_conflict_engine_exception', 429: 'es_rejected_execution_exception', 503: 'unavailable_shards_exception' };
// The built-in template makes every logs-*-* target a data stream.
const isDataStream = (index: string) => /^logs-[^-]+-.+$/.test(index);

/**
 * `/_bulk` and `/{index}/_bulk` as Elasticsearch answers them: security (401 with
 * `security_exception`), the content type (406), the trailing newline and the action lines
 * (400 for the whole request), then item by item: data streams take `create` only and need
 * `@timestamp`, an existing `_id` is a 409 conflict, and `rejectItemsWhen` fails chosen items.
 */
export function createElasticHandler(options: ElasticReceiverOptions, rejecter: () => ItemRejecter | undefined): ProtocolHandler & { rejectItemsWhen(predicate: BulkItemRejecter | undefined): void } {
  const indices = new Map<string, Map<string, unknown>>();
  let itemRejecter: BulkItemRejecter | undefined;
  let autoId = 0;

  const handle = (request: ProtocolRequest): ProtocolAnswer => {
    const refused = checkAuth(headerValue(request.headers, 'authorization'), options, request.path);
    if (refused) return refused;
    if (request.method !== 'POST' && request.method !== 'PUT') return esError(405, 'illegal_argument_exception', `Incorrect HTTP method for uri [${request.path}] and method [${request.method}], allowed: [POST, PUT]`);
    const mediaType = (headerValue(request.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/x-ndjson' && mediaType !== 'application/json') {
      return { status: 406, body: JSON.stringify({ error: `Content-Type header [${mediaType}] is not supported`, status: 406 }), accepted: [] };
    }
    const decoded = decodeBody(request);
    if ('status' in decoded) return esError(decoded.status, 'parse_exception', decoded.reason);
    if (decoded.text.trim() === '') return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
    if (!decoded.text.endsWith('\n')) return esError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    const pathIndex = /^\/([^/_][^/]*)\/_bulk$/.exec(request.path)?.[1];
    const lines = decoded.text.split('\n').slice(0, -1);
    const operations: Array<{ op: string; index: string; id?: string; source?: string }> = [];
    for (let line = 0; line < lines.length; line += 1) {
      const action = parseAction(lines[line]!, line + 1);
      if ('error' in action) return esError(400, 'illegal_argument_exception', action.error);
      const index = action.index ?? pathIndex;
      if (index === undefined) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      const source = action.op === 'delete' ? undefined : lines[(line += 1)];
      if (action.op !== 'delete' && source === undefined) return esError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`);
      operations.push({ op: action.op, index, ...(action.id === undefined ? {} : { id: action.id }), ...(source === undefined ? {} : { source }) });
    }
    const accepted: AcceptedItem[] = [];
    for (const operation of operations) {
      const document = operation.source === undefined ? undefined : parseDocument(operation.source);
      const status = rejecter()?.({ format: 'json', text: operation.source ?? '', json: document, path: request.path });
      if (status !== undefined) return esError(status, status === 429 ? 'es_rejected_execution_exception' : 'exception', `injected ${status}`);
    }
    const items = operations.map((operation) => {
      const document = operation.source === undefined ? undefined : parseDocument(operation.source);
      const id = operation.id ?? `auto-${(autoId += 1)}`;
      const head = { _index: operation.index, _id: id };
      const fail = (status: number, reason: string, type = ITEM_ERRORS[status] ?? 'exception') => ({ [operation.op]: { ...head, status, error: { type, reason, index: operation.index } } });
      const injected = itemRejecter?.({ op: operation.op, index: operation.index, ...(operation.id === undefined ? {} : { id: operation.id }), document });
      if (injected !== undefined) return fail(injected, `injected ${injected} for [${id}]`);
      if (operation.op !== 'create' && operation.op !== 'index') return fail(400, `the local receiver does not support [${operation.op}]`, 'illegal_argument_exception');
      if (isDataStream(operation.index) && operation.op !== 'create') return fail(400, `only write ops with an op_type of create are allowed in data streams`, 'illegal_argument_exception');
      if (typeof document !== 'object' || document === null || Array.isArray(document)) return fail(400, `[1:1] failed to parse: the document is not a JSON object`);
      if (isDataStream(operation.index) && !('@timestamp' in document)) return fail(400, '[1:2] failed to parse: data stream timestamp field [@timestamp] is missing');
      const stored = indices.get(operation.index) ?? new Map<string, unknown>();
      indices.set(operation.index, stored);
      if (operation.op === 'create' && stored.has(id)) return fail(409, `[${id}]: version conflict, document already exists (current version [1])`);
      const created = !stored.has(id);
      stored.set(id, document);
      accepted.push({ format: 'json', text: operation.source!, json: document, meta: { _index: operation.index, _id: id } });
      return { [operation.op]: { ...head, _version: 1, result: created ? 'created' : 'updated', status: created ? 201 : 200 } };
    });
    const errors = items.some((item) => 'error' in Object.values(item)[0]!);
    return { status: 200, body: JSON.stringify({ took: 1, errors, items }), accepted };
  };

  return {
    serves: (path) => path === '/_bulk' || /^\/[^/_][^/]*\/_bulk$/.test(path),
    handle,
    rejectItemsWhen: (predicate) => {
      itemRejecter = predicate;
    },
  };
}

function esError(status: number, type: string, reason: string, headers?: Record<string, string>): ProtocolAnswer {
  const body = JSON.stringify({ error: { root_cause: [{ type, reason }], type, reason }, status });
  return headers ? { status, body, headers, accepted: [] } : { status, body, accepted: [] };
}

function checkAuth(authorization: string | undefined, options: ElasticReceiverOptions, path: string): ProtocolAnswer | undefined {
  const expected: string[] = [];
  if (options.apiKey !== undefined) expected.push(`ApiKey ${options.apiKey}`);
  if (options.basic !== undefined) expected.push(`Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`, 'utf8').toString('base64')}`);
  if (expected.length === 0) return undefined;
  const challenge = { 'www-authenticate': 'Basic realm="security", charset="UTF-8", ApiKey' };
  if (authorization === undefined) return esError(401, 'security_exception', `missing authentication credentials for REST request [${path}]`, challenge);
  const given = Buffer.from(authorization, 'utf8');
  // Constant-time, as a real cluster compares secrets.
  const known = expected.some((text) => {
    const candidate = Buffer.from(text, 'utf8');
    return candidate.length === given.length && timingSafeEqual(candidate, given);
  });
  return known ? undefined : esError(401, 'security_exception', `unable to authenticate with provided credentials and anonymous access is not allowed for this request`, challenge);
}

function parseAction(line: string, number: number): { op: string; index?: string; id?: string } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: `Malformed action/metadata line [${number}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]` };
  }
  const keys = typeof json === 'object' && json !== null && !Array.isArray(json) ? Object.keys(json) : [];
  const op = keys[0];
  if (keys.length !== 1 || op === undefined || !OPS.includes(op)) {
    return { error: `Malformed action/metadata line [${number}], expected one of [create, delete, index, update] but found [${String(op)}]` };
  }
  const meta = (json as Record<string, Record<string, unknown>>)[op]!;
  return {
    op,
    ...(typeof meta['_index'] === 'string' ? { index: meta['_index'] } : {}),
    ...(typeof meta['_id'] === 'string' ? { id: meta['_id'] } : {}),
  };
}

function parseDocument(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
