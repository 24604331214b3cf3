import { randomUUID } from 'node:crypto';
import { formatKind } from '../../core/formats/format-registry.js';
import type { RequestOutcome } from '../batch-delivery.js';
import { createBatchingHttpSink } from '../batching-http-sink.js';
import { hideSecrets } from '../../net/secret-texts.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { endpointUrl } from '../protocol-sink-options.js';
import type { Sink } from '../sink.js';
import { waitForAck } from './splunk-hec-ack.js';
import { classifyHecResponse } from './splunk-hec-classify.js';
import type { HecMetadata } from './splunk-hec-encoder.js';
import { encodeHecBody, hecEventBytes } from './splunk-hec-encoder.js';

/** Settings of the Splunk HTTP Event Collector sink. */
export interface SplunkHecSinkOptions extends ProtocolSinkOptions {
  /** The HEC token, sent as `Authorization: Splunk <token>`. */
  token: string;
  /** The index; absent: the token's default index. */
  index?: string | undefined;
  /** @default 'mpas-log-sync' */
  source?: string | undefined;
  /** @default 'mpas:event' for JSON documents, the format's name for lines ('cef') */
  sourcetype?: string | undefined;
  /** The `host` field; absent: HEC uses the sender's address. */
  host?: string | undefined;
  /** Indexer acknowledgement: confirm every request through `/services/collector/ack`. @default false */
  useAck?: boolean | undefined;
  /** How long an ackId may stay unconfirmed before its events are sent again. @default 60000 */
  ackTimeoutMs?: number;
  /** Time between two ack queries. @default 1000 */
  ackPollMs?: number;
  /** The `X-Splunk-Request-Channel` (a GUID). @default a random UUID per sink */
  channel?: string;
}

// What an operator may paste as the URL: the base, or the endpoint itself.
const HEC_SUFFIXES = ['/services/collector/event', '/services/collector'];

/**
 * Splunk HEC: events as `{"time","host"?,"source","sourcetype","index"?,"event"}` objects,
 * concatenated into batches POSTed to `/services/collector/event`; every answer classified by
 * its HTTP status and HEC code (see `classifyHecResponse`); with `useAck`, a request counts
 * only once HEC confirms its ackId.
 */
export function createSplunkHecSink(options: SplunkHecSinkOptions): Sink {
  const channel = options.channel ?? randomUUID();
  const secrets = [options.token];
  const headers: Record<string, string> = { authorization: `Splunk ${options.token}` };
  if (options.useAck) headers['x-splunk-request-channel'] = channel;
  const metadata: HecMetadata = {
    source: options.source ?? 'mpas-log-sync',
    // A line format's name is its sourcetype (Splunk's `cef`); documents are this product's own.
    sourcetype: options.sourcetype ?? (formatKind(options.format) === 'line' ? options.format : 'mpas:event'),
    index: options.index,
    host: options.host,
  };
  const eventUrl = endpointUrl(options.url, '/services/collector/event', HEC_SUFFIXES);
  return createBatchingHttpSink({ name: 'splunk-hec', options, secrets }, (connection) => {
    const ack = {
      url: `${endpointUrl(options.url, '/services/collector/ack', HEC_SUFFIXES)}?channel=${channel}`,
      headers,
      agent: connection.agent,
      secrets,
      // Ack queries go to the same HEC: a slow indexer tier slows them as it slows the events.
      timeout: connection.responseTimeout,
      clock: connection.settings.clock,
      sleep: connection.settings.sleep,
      pollMs: options.ackPollMs ?? 1_000,
      ackTimeoutMs: options.ackTimeoutMs ?? 60_000,
    };
    return {
      sizeOf: (event) => hecEventBytes(event, options.format, metadata),
      send: async (group, signal): Promise<RequestOutcome> => {
        const response = await connection.exchange({ url: eventUrl, headers: { ...headers, 'content-type': 'application/json' }, body: encodeHecBody(group, options.format, metadata) }, signal);
        if (response.kind === 'failure') return response.outcome;
        const { outcome, ackId } = classifyHecResponse({
          status: response.status,
          body: response.text,
          retryAfter: response.retryAfter,
          eventCount: group.length,
          nowMs: connection.settings.clock.now(),
        });
        // Without an ackId the token has acknowledgement off: HEC's 200 is all there is.
        if (outcome.kind !== 'ok' || !options.useAck || ackId === undefined) return outcome;
        const confirmed = await waitForAck(ackId, ack, signal);
        return confirmed.kind === 'ok' ? confirmed : { ...confirmed, reason: hideSecrets(confirmed.reason, secrets) };
      },
    };
  });
}
