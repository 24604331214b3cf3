import { createBatchingHttpSink, wholeRequestOutcome } from '../batching-http-sink.js';
import { DEFAULT_AUTHORITY_HOST, DEFAULT_SENTINEL_STREAM } from './config.js';
import { EntraTokenSource } from './entra-token.js';
import type { HttpOutcome } from '../http-classify.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { encodeSentinelRecord } from './sentinel-logs-encoder.js';
import { SENTINEL_LIMITS } from '../siem-limits.js';
import type { OutboundEvent, Sink } from '../sink.js';

/** Settings of the Microsoft Sentinel (Azure Monitor Logs Ingestion API) sink. `url` is the data collection endpoint. */
export interface SentinelLogsSinkOptions extends ProtocolSinkOptions {
  /** The directory (tenant) id of the app registration. */
  tenantId: string;
  /** The app registration's application (client) id. */
  clientId: string;
  /** The app registration's client secret. */
  clientSecret: string;
  /** The data collection rule's immutable id, `dcr-` and 32 hex digits. */
  dcrImmutableId: string;
  /** The DCR's input stream. @default 'Custom-MpasEvents_CL' */
  streamName?: string | undefined;
  /** @default 'https://login.microsoftonline.com' */
  authorityHost?: string | undefined;
}

/** The API version this sink speaks (its limit of one call is SENTINEL_LIMITS). */
export const SENTINEL_API = { version: '2023-01-01' } as const;

/**
 * Microsoft Sentinel through the Logs Ingestion API: JSON arrays of records POSTed to
 * `{dce}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with an Entra ID
 * token. 204 ok; 429 and 5xx retry (after `Retry-After`); 413 split; 400 drop; 401 renews the
 * token once and sends again; a second 401, or 403 (the app lacks "Monitoring Metrics Publisher"
 * on the DCR), is an auth failure.
 */
export function createSentinelLogsSink(options: SentinelLogsSinkOptions): Sink {
  const stream = options.streamName ?? DEFAULT_SENTINEL_STREAM;
  const url = `${endpointUrl(options.url, `/dataCollectionRules/${encodeURIComponent(options.dcrImmutableId)}/streams/${encodeURIComponent(stream)}`)}?api-version=${SENTINEL_API.version}`;
  // Azure refuses a larger call; the planner never builds one.
  return createBatchingHttpSink({ name: 'sentinel', options, limits: SENTINEL_LIMITS, secrets: [options.clientSecret] }, (connection) => {
    const tokens = new EntraTokenSource({
      authorityHost: options.authorityHost ?? DEFAULT_AUTHORITY_HOST,
      tenantId: options.tenantId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      agent: connection.agent,
      timeoutMs: options.timeoutMs,
      clock: connection.settings.clock,
    });
    // Encoded once per delivery: the plan sizes each record and the request sends it.
    const records = new WeakMap<OutboundEvent, string>();
    const recordOf = (event: OutboundEvent): string => {
      let record = records.get(event);
      if (record === undefined) {
        record = encodeSentinelRecord(event, options.format);
        records.set(event, record);
      }
      return record;
    };
    return {
      sizeOf: (event) => Buffer.byteLength(recordOf(event), 'utf8') + 1,
      send: async (group, signal): Promise<HttpOutcome> => {
        const body = '[' + group.map(recordOf).join(',') + ']';
        for (let renewed = false; ; renewed = true) {
          const token = await tokens.get(signal);
          if (token.kind === 'failure') return token.outcome;
          const response = await connection.exchange({ url, headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }, body, secrets: [token.token] }, signal);
          // An expired or revoked token: one new token, one more try, before it counts as refused.
          if (response.kind === 'response' && response.status === 401 && !renewed) {
            tokens.invalidate(token.token);
            continue;
          }
          return wholeRequestOutcome(response, group.length, connection.settings.clock.now());
        }
      },
    };
  });
}
