import type { Dispatcher } from 'undici';
import { exchange } from '../net/http-exchange.js';
import type { ExchangeResponse } from '../net/http-exchange.js';
import { sendRequest } from '../net/http-fetch.js';
import { ResponseTimeout } from '../net/response-timeout.js';
import { excerpt } from '../net/server-answer.js';
import { timedRequest } from '../net/timed-request.js';
import { deliverInBatches, deliverPlan } from './batch-delivery.js';
import type { BatchDeliverySettings, DeliveryPlan, RequestOutcome } from './batch-delivery.js';
import type { HttpOutcome, RetryOutcome } from './http-classify.js';
import { classifyResponse, retryWithoutResponse } from './http-classify.js';
import type { ProtocolSinkOptions } from './protocol-sink-options.js';
import { deliverySettings } from './protocol-sink-options.js';
import { createSinkAgent } from './sink-agent.js';
import type { SiemLimits } from './siem-limits.js';
import type { HealthcheckOptions, OutboundEvent, Sink, SinkHealth } from './sink.js';

/** One request to the SIEM, before the sink's compression, timeout and secrets are applied. */
export interface SiemRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Texts to hide beside the sink's own (a token fetched for this request). */
  secrets?: readonly string[];
}

/** The SIEM's answer to one request, or the retry of a request that got none. */
export type SiemAnswer = ExchangeResponse | { kind: 'failure'; outcome: RetryOutcome };

/** What every HTTP sink shares with its protocol: one connection pool and one adaptive timeout per SIEM. */
export interface SiemConnection {
  readonly agent: Dispatcher;
  /** One per sink: every request to this SIEM learns from the others how long it takes to answer. */
  readonly responseTimeout: ResponseTimeout;
  /** The delivery engine's settings, with the test seams (clock, sleep) resolved. */
  readonly settings: BatchDeliverySettings;
  /** Sends one request with the sink's gzip setting, timeout and secrets; never throws. */
  exchange(request: SiemRequest, signal: AbortSignal | undefined): Promise<SiemAnswer>;
}

/**
 * What a SIEM protocol adds to the shared HTTP sink: how events are sized (`sizeOf`, or a whole
 * `plan` for a framing with a faster bound than sizing each event), sent and checked.
 */
export type HttpSinkProtocol = ProtocolParts & ({ sizeOf(event: OutboundEvent): number } | { plan(events: readonly OutboundEvent[]): DeliveryPlan });

interface ProtocolParts {
  /** Sends one group (and whatever confirms it); never throws. `maxBytes`: the plan's bound on its body. */
  send(group: readonly OutboundEvent[], signal: AbortSignal | undefined, maxBytes?: number): Promise<RequestOutcome>;
  /** Replaces the reachability check (see `checkReachable`). */
  healthcheck?(options: HealthcheckOptions): Promise<SinkHealth>;
}

/** The identity and shared settings of one HTTP sink. */
export interface HttpSinkDescription {
  /** The SIEM type, the sink's `name`. */
  name: string;
  options: ProtocolSinkOptions;
  /** The SIEM's documented limits, which the configured batch limits never pass. */
  limits?: SiemLimits | undefined;
  /** Texts hidden in every reason and answer read back. */
  secrets: readonly string[];
}

/**
 * An HTTP sink: one connection pool (with the CA file) and one adaptive response timeout per
 * SIEM, the delivery engine for batching, retries, splits and Retry-After, and the protocol's
 * own encoding, classification and health check.
 */
export function createBatchingHttpSink(description: HttpSinkDescription, protocolOf: (connection: SiemConnection) => HttpSinkProtocol): Sink {
  const { options, secrets } = description;
  const settings = deliverySettings(options, description.limits);
  const agent = createSinkAgent({ caFile: options.caFile, connections: options.concurrency, connectTimeoutMs: options.timeoutMs });
  const responseTimeout = new ResponseTimeout(options.timeoutMs);
  const connection: SiemConnection = {
    agent,
    responseTimeout,
    settings,
    exchange: async (siemRequest, signal) => {
      const answer = await exchange({
        url: siemRequest.url,
        headers: siemRequest.headers,
        body: siemRequest.body,
        gzip: options.gzip,
        timeout: responseTimeout,
        agent,
        signal,
        secrets: siemRequest.secrets === undefined ? secrets : [...siemRequest.secrets, ...secrets].sort((a, b) => b.length - a.length),
      });
      return answer.kind === 'failure' ? { kind: 'failure', outcome: retryWithoutResponse(answer.reason) } : answer;
    },
  };
  const protocol = protocolOf(connection);
  return {
    name: description.name,
    deliver: (events, signal) => {
      const send = (indices: readonly number[], groupSignal: AbortSignal | undefined, maxBytes?: number) =>
        protocol.send(
          indices.map((index) => events[index]!),
          groupSignal,
          maxBytes,
        );
      return 'plan' in protocol ? deliverPlan(protocol.plan(events), send, settings, signal) : deliverInBatches(events, protocol.sizeOf, send, settings, signal);
    },
    healthcheck: (checkOptions = {}) => (protocol.healthcheck ? protocol.healthcheck(checkOptions) : checkReachable(options.url, connection, checkOptions)),
    close: () => agent.close(),
  };
}

/**
 * The answer of a SIEM that replies to a request as a whole (Datadog, Sumo Logic, Sentinel):
 * the generic classification, or the failure already classified.
 */
export function wholeRequestOutcome(response: SiemAnswer, eventCount: number, nowMs: number): HttpOutcome {
  if (response.kind === 'failure') return response.outcome;
  return classifyResponse({ status: response.status, retryAfter: response.retryAfter, bodyExcerpt: excerpt(response.text), eventCount, nowMs });
}

/**
 * The check of a SIEM that has no request storing nothing: a HEAD to its URL says it is
 * reachable (any answer will do); the credentials are proven only by a test event, which
 * `sendTestEvent` delivers when the operator asks for one.
 */
export async function checkReachable(url: string, connection: SiemConnection, options: HealthcheckOptions): Promise<SinkHealth> {
  if (options.sendTestEvent) return options.sendTestEvent();
  try {
    const status = await timedRequest(connection.responseTimeout.baseMs, undefined, async (signal) => {
      const response = await sendRequest(url, { method: 'HEAD', headers: {}, dispatcher: connection.agent, signal });
      await response.body.dump();
      return response.statusCode;
    });
    return { ok: true, detail: `ok: reachable (HEAD answered ${status}); credentials are checked with --send-test-event` };
  } catch (error) {
    return { ok: false, detail: `cannot reach ${url}: ${(error as Error).message}: check SIEM_URL and the network` };
  }
}
