import { deliverInBatches } from '../batch-delivery.js';
import { DEFAULT_AUTHORITY_HOST, EntraTokenSource } from './entra-token.js';
import type { HttpOutcome } from '../http-classify.js';
import { classifyResponse, excerpt } from '../http-classify.js';
import { exchange } from '../../net/http-exchange.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { deliverySettings, endpointUrl, validateProtocolSinkOptions } from '../protocol-sink-options.js';
import { ResponseTimeout } from '../response-timeout.js';
import { encodeSentinelRecord } from './sentinel-logs-encoder.js';
import { SENTINEL_LIMITS } from '../siem-limits.js';
import type { Sink } from '../sink.js';
import type { SinkConfigProblem } from '../sink-errors.js';
import { createSinkAgent } from '../../net/tls.js';

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

/** The stream name of the custom table the docs create. */
export const DEFAULT_SENTINEL_STREAM = 'Custom-MpasEvents_CL';

/**
 * Microsoft Sentinel through the Logs Ingestion API: JSON arrays of records POSTed to
 * `{dce}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with an Entra ID
 * token. 204 ok; 429 and 5xx retry (after `Retry-After`); 413 split; 400 drop; 401 renews the
 * token once and sends again; a second 401, or 403 (the app lacks "Monitoring Metrics Publisher"
 * on the DCR), is an auth failure.
 */
export function createSentinelLogsSink(options: SentinelLogsSinkOptions): Sink {
  validateProtocolSinkOptions('sentinel', options, { kind: 'bearer', token: options.clientSecret }, sentinelProblems(options), () => 'clientSecret');
  // Azure refuses a larger call; the planner never builds one.
  const settings = deliverySettings(options, SENTINEL_LIMITS);
  const agent = createSinkAgent({ caFile: options.caFile, connections: options.concurrency, connectTimeoutMs: options.timeoutMs });
  const tokens = new EntraTokenSource({
    authorityHost: options.authorityHost ?? DEFAULT_AUTHORITY_HOST,
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    agent,
    timeoutMs: options.timeoutMs,
    clock: settings.clock,
  });
  const stream = options.streamName ?? DEFAULT_SENTINEL_STREAM;
  // One per sink: every request to this SIEM learns from the others how long it takes to answer.
  const responseTimeout = new ResponseTimeout(options.timeoutMs);
  const url = `${endpointUrl(options.url, `/dataCollectionRules/${encodeURIComponent(options.dcrImmutableId)}/streams/${encodeURIComponent(stream)}`)}?api-version=${SENTINEL_API.version}`;

  const post = async (body: string, count: number, signal: AbortSignal | undefined): Promise<HttpOutcome> => {
    for (let renewed = false; ; renewed = true) {
      const token = await tokens.get(signal);
      if (token.kind === 'failure') return token.outcome;
      const response = await exchange({
        url,
        headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
        body,
        gzip: options.gzip,
        timeout: responseTimeout,
        agent,
        signal,
        secrets: [token.token, options.clientSecret],
      });
      if (response.kind === 'failure') return response.outcome;
      // An expired or revoked token: one new token, one more try, before it counts as refused.
      if (response.status === 401 && !renewed) {
        tokens.invalidate(token.token);
        continue;
      }
      return classifyResponse({ status: response.status, retryAfter: response.retryAfter, bodyExcerpt: excerpt(response.text), eventCount: count, nowMs: settings.clock.now() });
    }
  };

  return {
    name: 'sentinel',
    deliver: (events, signal) => {
      const records = new Map(events.map((event) => [event, encodeSentinelRecord(event, options.format)]));
      const recordOf = (index: number) => records.get(events[index]!)!;
      return deliverInBatches(
        events,
        (event) => Buffer.byteLength(records.get(event)!, 'utf8') + 1,
        (indices, groupSignal) => post('[' + indices.map(recordOf).join(',') + ']', indices.length, groupSignal),
        settings,
        signal,
      );
    },
    close: () => agent.close(),
  };
}

function sentinelProblems(options: SentinelLogsSinkOptions): SinkConfigProblem[] {
  const problems: SinkConfigProblem[] = [];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!uuid.test(options.tenantId) && !/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i.test(options.tenantId)) problems.push({ setting: 'tenantId', message: 'must be the directory (tenant) id, a GUID, or a verified domain such as contoso.onmicrosoft.com' });
  if (!uuid.test(options.clientId)) problems.push({ setting: 'clientId', message: 'must be the application (client) id, a GUID' });
  if (!/^dcr-[0-9a-f]{32}$/i.test(options.dcrImmutableId)) problems.push({ setting: 'dcrImmutableId', message: 'must be the DCR immutable id: dcr- and 32 hexadecimal digits' });
  if (options.streamName !== undefined && !/^Custom-[A-Za-z0-9_]+$|^Microsoft-[A-Za-z0-9_]+$/.test(options.streamName)) problems.push({ setting: 'streamName', message: 'must be a DCR stream name such as Custom-MpasEvents_CL' });
  if (options.authorityHost !== undefined) {
    const authority = URL.canParse(options.authorityHost) ? new URL(options.authorityHost) : undefined;
    const loopback = authority !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(authority.hostname);
    if (authority === undefined || !(authority.protocol === 'https:' || (authority.protocol === 'http:' && loopback))) problems.push({ setting: 'authorityHost', message: 'must be an https:// URL (http only to a loopback host), such as https://login.microsoftonline.com' });
  }
  return problems;
}
