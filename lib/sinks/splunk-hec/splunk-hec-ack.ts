import type { Dispatcher } from 'undici';
import type { Clock } from '../../core/time/clock.js';
import type { Sleep } from '../../core/time/sleep.js';
import type { RequestOutcome } from '../batch-delivery.js';
import { exchange, parseJsonBody } from '../../net/http-exchange.js';
import type { ResponseTimeout } from '../../net/response-timeout.js';
import { classifyHecResponse } from './splunk-hec-classify.js';

/** How the sink asks HEC whether a request's events reached the indexers. */
export interface HecAckSettings {
  /** `{base}/services/collector/ack?channel=<channel>`. */
  url: string;
  headers: Record<string, string>;
  agent: Dispatcher;
  secrets: readonly string[];
  /** The sink's response timeout, shared with its event requests. */
  timeout: ResponseTimeout;
  clock: Clock;
  sleep: Sleep;
  /** Time between two queries. */
  pollMs: number;
  /** How long an ackId may stay unconfirmed before its events are sent again. */
  ackTimeoutMs: number;
}

/**
 * Polls `/services/collector/ack` until `ackId` is confirmed (ok), or until the deadline
 * (retry: HEC took the events but cannot vouch for them, so they go again, and the SIEM may
 * see them twice: indexer acknowledgement is at-least-once by design). A query HEC refuses is
 * classified like an event request (401/403 flag the credentials).
 */
export async function waitForAck(ackId: number, settings: HecAckSettings, signal?: AbortSignal): Promise<RequestOutcome> {
  const deadline = settings.clock.now() + settings.ackTimeoutMs;
  for (;;) {
    const response = await exchange({
      url: settings.url,
      headers: { ...settings.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ acks: [ackId] }),
      gzip: false,
      timeout: settings.timeout,
      agent: settings.agent,
      signal,
      secrets: settings.secrets,
    });
    if (response.kind === 'response' && response.status >= 200 && response.status < 300) {
      if (isAcknowledged(response.text, ackId)) return { kind: 'ok' };
    } else if (response.kind === 'response') {
      const { outcome } = classifyHecResponse({ status: response.status, body: response.text, retryAfter: response.retryAfter, eventCount: 1, nowMs: settings.clock.now() });
      if (outcome.kind === 'retry') return { ...outcome, reason: `ack query for ackId ${ackId}: ${outcome.reason}` };
      // The events were taken; a query HEC refuses for good (ack disabled, bad channel) cannot
      // prove them lost, and dropping them would be a lie: send them again.
      return { kind: 'retry', reason: `ack query for ackId ${ackId} refused: ${'reason' in outcome ? outcome.reason : `HTTP ${response.status}`}`, auth: false };
    }
    if (signal?.aborted) return { kind: 'retry', reason: `ackId ${ackId} not confirmed: the delivery was stopped`, auth: false };
    if (settings.clock.now() >= deadline) {
      return { kind: 'retry', reason: `ackId ${ackId} not confirmed by HEC within ${settings.ackTimeoutMs} ms`, auth: false };
    }
    await settings.sleep(settings.pollMs, signal);
  }
}

/** True when `{"acks": {"<ackId>": true}}`. */
export function isAcknowledged(body: string, ackId: number): boolean {
  const json = parseJsonBody(body);
  if (typeof json !== 'object' || json === null) return false;
  const acks = (json as Record<string, unknown>)['acks'];
  return typeof acks === 'object' && acks !== null && (acks as Record<string, unknown>)[String(ackId)] === true;
}
