import { createBatchingHttpSink } from '../batching-http-sink.js';
import type { SinkAuth } from '../http-auth.js';
import { authHeaders, secretsOf } from '../http-auth.js';
import { DEFAULT_ELASTIC_INDEX } from './config.js';
import { classifyBulkResponse } from './elastic-bulk-classify.js';
import { bulkEventBytes, encodeBulkBody } from './elastic-bulk-encoder.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { ELASTIC_LIMITS } from '../siem-limits.js';
import type { Sink } from '../sink.js';

/** How the sink proves itself to Elasticsearch / OpenSearch. */
export type ElasticAuth =
  | { kind: 'none' }
  /** The encoded API key (Kibana's "Encoded" value, base64 of `id:api_key`), or `id:api_key` itself. */
  | { kind: 'apiKey'; apiKey: string }
  | { kind: 'basic'; username: string; password: string };

/** Settings of the Elasticsearch / OpenSearch `_bulk` sink. */
export interface ElasticBulkSinkOptions extends ProtocolSinkOptions {
  auth: ElasticAuth;
  /** The index or data stream. @default 'logs-mpas-default' (a data stream of the built-in `logs-*-*` template) */
  index?: string | undefined;
}

/**
 * Elasticsearch / OpenSearch `_bulk`: NDJSON `create` actions with the event key as `_id`, so a
 * retried event is refused as a duplicate (409, counted as delivered) rather than stored twice.
 * Per-item results are read from the answer: only the items that failed transiently are sent
 * again (see `classifyBulkResponse`).
 */
export function createElasticBulkSink(options: ElasticBulkSinkOptions): Sink {
  const index = options.index ?? DEFAULT_ELASTIC_INDEX;
  const auth = genericAuth(options.auth);
  const secrets = options.auth.kind === 'apiKey' ? [...secretsOf(auth), options.auth.apiKey].sort((a, b) => b.length - a.length) : secretsOf(auth);
  const headers = { ...authHeaders(auth), 'content-type': 'application/x-ndjson' };
  const url = endpointUrl(options.url, '/_bulk', ['/_bulk']);
  return createBatchingHttpSink({ name: 'elastic', options, limits: ELASTIC_LIMITS, secrets }, (connection) => ({
    sizeOf: (event) => bulkEventBytes(event, options.format, index),
    send: async (group, signal) => {
      const response = await connection.exchange({ url, headers, body: encodeBulkBody(group, options.format, index) }, signal);
      if (response.kind === 'failure') return response.outcome;
      return classifyBulkResponse({ status: response.status, body: response.text, retryAfter: response.retryAfter, eventCount: group.length, nowMs: connection.settings.clock.now() });
    },
  }));
}

/** The API key as `Authorization: ApiKey <base64(id:api_key)>`; an unencoded `id:api_key` is encoded here. */
function genericAuth(auth: ElasticAuth): SinkAuth {
  if (auth.kind !== 'apiKey') return auth;
  const encoded = auth.apiKey.includes(':') ? Buffer.from(auth.apiKey, 'utf8').toString('base64') : auth.apiKey;
  return { kind: 'header', name: 'authorization', value: `ApiKey ${encoded}` };
}
