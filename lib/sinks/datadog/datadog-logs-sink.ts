import { createBatchingHttpSink, wholeRequestOutcome } from '../batching-http-sink.js';
import type { DatadogMetadata } from './datadog-logs-encoder.js';
import { datadogLogBytes, encodeDatadogBody } from './datadog-logs-encoder.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { DATADOG_LIMITS } from '../siem-limits.js';
import type { Sink } from '../sink.js';

/** Settings of the Datadog Logs (HTTP intake v2) sink. */
export interface DatadogLogsSinkOptions extends ProtocolSinkOptions {
  /** The Datadog API key, sent as `DD-API-KEY`. */
  apiKey: string;
  /** `ddsource`. @default 'mpas' */
  source?: string | undefined;
  /** @default 'mpas-log-sync' */
  service?: string | undefined;
  hostname?: string | undefined;
  /** `ddtags`, e.g. `env:prod,tenant:acme`. */
  tags?: string | undefined;
}

/**
 * Datadog Logs: JSON arrays of log entries POSTed to `{url}/api/v2/logs` with `DD-API-KEY`.
 * The intake answers the request as a whole (202 accepted; 400 drop; 401/403 refused key;
 * 408/429/5xx retry; 413 split), which the generic classification already says.
 */
export function createDatadogLogsSink(options: DatadogLogsSinkOptions): Sink {
  const headers = { 'dd-api-key': options.apiKey, 'content-type': 'application/json' };
  const metadata: DatadogMetadata = { source: options.source ?? 'mpas', service: options.service ?? 'mpas-log-sync', hostname: options.hostname, tags: options.tags };
  const url = endpointUrl(options.url, '/api/v2/logs', ['/api/v2/logs']);
  // The intake refuses larger requests and truncates larger logs; the planner never builds either.
  return createBatchingHttpSink({ name: 'datadog', options, limits: DATADOG_LIMITS, secrets: [options.apiKey] }, (connection) => ({
    sizeOf: (event) => datadogLogBytes(event, options.format, metadata),
    send: async (group, signal) => {
      const response = await connection.exchange({ url, headers, body: encodeDatadogBody(group, options.format, metadata) }, signal);
      return wholeRequestOutcome(response, group.length, connection.settings.clock.now());
    },
  }));
}
