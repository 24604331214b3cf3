import { describe, expect, it } from 'vitest';
import { classifyBulkResponse } from '../../../lib/sinks/elastic/elastic-bulk-classify.js';

const NOW = 1_739_388_500_000;
const classify = (status: number, body: unknown, eventCount = 3, retryAfter?: string) =>
  classifyBulkResponse({ status, body: typeof body === 'string' ? body : JSON.stringify(body), eventCount, nowMs: NOW, retryAfter });
const item = (status: number, error?: { type: string; reason: string }) => ({ create: { _index: 'logs-mpas-default', _id: 'k', status, ...(error ? { error } : {}) } });

describe('classifyBulkResponse', () => {
  it('takes errors: false as ok without reading the items', () => {
    expect(classify(200, { took: 3, errors: false, items: [] })).toEqual({ kind: 'ok' });
  });

  it('counts 201, 200 and 409 (already delivered) items as delivered', () => {
    expect(classify(200, { errors: true, items: [item(201), item(409, { type: 'version_conflict_engine_exception', reason: 'exists' }), item(200)] })).toEqual({ kind: 'ok' });
  });

  it('resends 429 and 5xx items and drops other failed items with their error type and reason', () => {
    const outcome = classify(200, {
      errors: true,
      items: [item(201), item(429, { type: 'es_rejected_execution_exception', reason: 'queue full' }), item(400, { type: 'document_parsing_exception', reason: 'bad field' }), item(503, { type: 'unavailable_shards_exception', reason: 'no shard' })],
    }, 4);
    expect(outcome).toEqual({
      kind: 'partial',
      status: 200,
      retry: [1, 3],
      dropped: [{ position: 2, status: 400, reason: 'item 400: document_parsing_exception: bad field' }],
      reason: '_bulk: 1 x item 429: es_rejected_execution_exception: queue full; 1 x item 400: document_parsing_exception: bad field; 1 x item 503: unavailable_shards_exception: no shard',
    });
  });

  it('retries a 2xx whose items are missing, unreadable or miscounted', () => {
    expect(classify(200, 'not json')).toMatchObject({ kind: 'retry', auth: false, reason: 'HTTP 200: unreadable _bulk answer (no items)' });
    expect(classify(200, { errors: true, items: [item(201)] })).toMatchObject({ kind: 'retry', reason: 'HTTP 200: unreadable _bulk answer (1 items for 3 events)' });
    expect(classify(200, { errors: true, items: [item(201), 'x', item(201)] })).toMatchObject({ kind: 'partial', retry: [1] });
  });

  it('classifies whole-request answers: auth, retriable, split and drop', () => {
    const error = (type: string, reason: string, status: number) => ({ error: { root_cause: [], type, reason }, status });
    expect(classify(401, error('security_exception', 'missing credentials', 401))).toEqual({ kind: 'retry', status: 401, auth: true, reason: 'HTTP 401: security_exception: missing credentials' });
    expect(classify(403, error('security_exception', 'action unauthorized', 403))).toMatchObject({ kind: 'retry', auth: true });
    expect(classify(429, error('es_rejected_execution_exception', 'busy', 429), 3, '2')).toMatchObject({ kind: 'retry', auth: false, retryAfterMs: 2_000 });
    for (const status of [408, 500, 502, 503, 504]) expect(classify(status, '')).toMatchObject({ kind: 'retry', auth: false });
    expect(classify(413, '')).toEqual({ kind: 'split', status: 413, reason: 'HTTP 413: ' });
    expect(classify(413, '', 1)).toMatchObject({ kind: 'drop', status: 413 });
    expect(classify(400, error('illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]', 400))).toEqual({
      kind: 'drop',
      status: 400,
      reason: 'HTTP 400: illegal_argument_exception: The bulk request must be terminated by a newline [\\n]',
    });
    expect(classify(406, { error: 'Content-Type header [text/plain] is not supported', status: 406 })).toMatchObject({ kind: 'drop', reason: 'HTTP 406: Content-Type header [text/plain] is not supported' });
  });
});
