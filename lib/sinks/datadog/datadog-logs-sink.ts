import { deliverInBatches } from '../batch-delivery.js';
import { classifyResponse, excerpt } from '../http-classify.js';
import { exchange } from '../../net/http-exchange.js';
import type { DatadogMetadata } from './datadog-logs-encoder.js';
import { datadogLogBytes, encodeDatadogBody } from './datadog-logs-encoder.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { deliverySettings, endpointUrl, validateProtocolSinkOptions } from '../protocol-sink-options.js';
import { ResponseTimeout } from '../response-timeout.js';
import { DATADOG_LIMITS } from '../siem-limits.js';
import type { Sink } from '../sink.js';
import type { SinkConfigProblem } from '../sink-errors.js';
import { createSinkAgent } from '../../net/tls.js';

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
  validateProtocolSinkOptions('datadog', options, { kind: 'header', name: 'dd-api-key', value: options.apiKey }, datadogProblems(options), () => 'apiKey');
  // The intake refuses larger requests and truncates larger logs; the planner never builds either.
  const settings = deliverySettings(options, DATADOG_LIMITS);
  const agent = createSinkAgent({ caFile: options.caFile, connections: options.concurrency, connectTimeoutMs: options.timeoutMs });
  const secrets = [options.apiKey];
  const headers = { 'dd-api-key': options.apiKey, 'content-type': 'application/json' };
  const metadata: DatadogMetadata = { source: options.source ?? 'mpas', service: options.service ?? 'mpas-log-sync', hostname: options.hostname, tags: options.tags };
  const url = endpointUrl(options.url, '/api/v2/logs', ['/api/v2/logs']);
  // One per sink: every request to this SIEM learns from the others how long it takes to answer.
  const responseTimeout = new ResponseTimeout(options.timeoutMs);

  return {
    name: 'datadog',
    deliver: (events, signal) =>
      deliverInBatches(
        events,
        (event) => datadogLogBytes(event, options.format, metadata),
        async (indices, groupSignal) => {
          const response = await exchange({
            url,
            headers,
            body: encodeDatadogBody(indices.map((index) => events[index]!), options.format, metadata),
            gzip: options.gzip,
            timeout: responseTimeout,
            agent,
            signal: groupSignal,
            secrets,
          });
          if (response.kind === 'failure') return response.outcome;
          return classifyResponse({ status: response.status, retryAfter: response.retryAfter, bodyExcerpt: excerpt(response.text), eventCount: indices.length, nowMs: settings.clock.now() });
        },
        settings,
        signal,
      ),
    close: () => agent.close(),
  };
}

function datadogProblems(options: DatadogLogsSinkOptions): SinkConfigProblem[] {
  const problems: SinkConfigProblem[] = [];
  for (const name of ['source', 'service', 'hostname', 'tags'] as const) {
    const value = options[name];
    if (value !== undefined && (value.trim() === '' || /[\r\n]/.test(value))) problems.push({ setting: name, message: 'must be a non-empty single line' });
  }
  return problems;
}
