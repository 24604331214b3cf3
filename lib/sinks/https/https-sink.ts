import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { MAX_ERROR_BODY_CHARS } from '../../net/http-exchange.js';
import { sendRequest } from '../../net/http-fetch.js';
import { hideSecrets } from '../../net/secret-texts.js';
import { excerpt, readAnswerStart } from '../../net/server-answer.js';
import { RequestTimeout, timedRequest } from '../../net/timed-request.js';
import type { DeliveryPlan } from '../batch-delivery.js';
import { createBatchingHttpSink } from '../batching-http-sink.js';
import type { SiemConnection } from '../batching-http-sink.js';
import { BodyBufferPool } from '../body-buffer-pool.js';
import { authHeaders, secretsOf } from '../http-auth.js';
import type { HttpOutcome } from '../http-classify.js';
import { classifyFailure, classifyResponse } from '../http-classify.js';
import { frameBodyBytes, oversizedPayloads, planRequestBodies } from '../http-framing.js';
import type { HttpsSinkOptions } from './https-sink-options.js';
import type { OutboundEvent, Sink, SinkHealth } from '../sink.js';

const gzip = promisify(gzipCallback);

/**
 * The generic HTTPS collector sink: frames payloads (single, array, NDJSON), posts them with at
 * most `concurrency` requests in flight, and classifies every response (see `classifyResponse`).
 */
export function createHttpsSink(options: HttpsSinkOptions): Sink {
  const secrets = secretsOf(options.auth);
  const headers = { 'user-agent': 'mpas-log-sync', ...authHeaders(options.auth) };
  // One body buffer per request in flight, kept across deliveries (the sink lives as long as
  // the Lambda's execution environment or the local runner).
  const bodyBuffers = options.bodyBuffers ?? new BodyBufferPool(options.concurrency, options.maxBatchBytes + 4);
  return createBatchingHttpSink({ name: 'https', options, secrets }, (connection) => {
    const poster = { options, secrets, headers, bodyBuffers, connection };
    return {
      plan: (events) => planHttpsRequests(events, options),
      send: (group, signal, maxBytes) => post(poster, group, maxBytes, signal),
      healthcheck: ({ sendTestEvent }) => checkCredentials(poster, sendTestEvent !== undefined),
    };
  });
}

/** What one POST needs of its sink. */
interface Poster {
  options: HttpsSinkOptions;
  secrets: readonly string[];
  headers: Record<string, string>;
  bodyBuffers: BodyBufferPool;
  connection: SiemConnection;
}

/**
 * The requests of one delivery: payloads framed alone over SIEM_MAX_BATCH_BYTES are held back
 * (a request above it could only be refused or truncated), the others planned with a bound on
 * each body that `frameBodyBytes` writes into without measuring.
 */
export function planHttpsRequests(events: readonly OutboundEvent[], limits: Pick<HttpsSinkOptions, 'batch' | 'format' | 'maxBatchEvents' | 'maxBatchBytes'>): DeliveryPlan {
  const payloads = events.map((event) => event.payload);
  const oversized = oversizedPayloads(payloads, limits, limits.format);
  if (oversized.length === 0) return { groups: planRequestBodies(payloads, limits, limits.format), oversized };
  const held = new Set(oversized.map(({ index }) => index));
  const sendable = payloads.flatMap((_, index) => (held.has(index) ? [] : [index]));
  const groups = planRequestBodies(
    sendable.map((index) => payloads[index]!),
    limits,
    limits.format,
  ).map(({ indices, maxBytes }) => ({ indices: indices.map((position) => sendable[position]!), maxBytes }));
  return { groups, oversized };
}

/** One POST; never throws. */
async function post(poster: Poster, group: readonly OutboundEvent[], maxBytes: number | undefined, signal: AbortSignal | undefined): Promise<HttpOutcome> {
  const { options, bodyBuffers, secrets, connection } = poster;
  const framed = frameBodyBytes(
    group.map((event) => event.payload),
    options.batch,
    options.format,
    maxBytes,
    bodyBuffers,
  );
  const headers: Record<string, string> = { ...poster.headers, 'content-type': framed.contentType };
  let body: Buffer = framed.body;
  if (options.gzip) {
    try {
      body = await gzip(body);
    } finally {
      bodyBuffers.giveBack(framed.body);
    }
    headers['content-encoding'] = 'gzip';
  }
  const timed = connection.responseTimeout.start();
  let outcome: HttpOutcome;
  try {
    outcome = await timedRequest(timed.timeoutMs, signal, async (requestSignal) => {
      const response = await sendRequest(options.url, { method: 'POST', headers, body, dispatcher: connection.agent, signal: requestSignal });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Accepted means all of it was read, so the socket is done with it. After any other answer
      // the SIEM may have answered early, with part of the body still queued for the socket.
      if (ok) bodyBuffers.giveBack(body);
      const text = ok ? (await response.body.dump(), '') : await readAnswerStart(response.body, MAX_ERROR_BODY_CHARS, secrets);
      timed.answered();
      return classifyResponse({
        status: response.statusCode,
        retryAfter: firstHeader(response.headers['retry-after']),
        bodyExcerpt: excerpt(text),
        eventCount: group.length,
        nowMs: connection.settings.clock.now(),
      });
    });
  } catch (error) {
    // A connection error or the caller's stop says nothing about how fast the SIEM answers.
    const timedOut = error instanceof RequestTimeout;
    if (timedOut) timed.timedOut();
    outcome = classifyFailure(error, timedOut, timed.timeoutMs);
  }
  return outcome.kind === 'ok' ? outcome : { ...outcome, reason: hideSecrets(outcome.reason, secrets) };
}

/**
 * The check of a generic collector: a HEAD with the configured credentials (a 401/403 means
 * they are wrong; nothing is stored), or with `store`, an empty JSON array POSTed, which proves
 * the path and the credentials and stores no event.
 */
async function checkCredentials(poster: Poster, store: boolean): Promise<SinkHealth> {
  const { options, secrets, connection } = poster;
  const method = store ? 'POST' : 'HEAD';
  try {
    const status = await timedRequest(options.timeoutMs, undefined, async (signal) => {
      const response = await sendRequest(options.url, {
        method,
        headers: { ...authHeaders(options.auth), ...(store ? { 'content-type': 'application/json' } : {}) },
        body: store ? '[]' : undefined,
        dispatcher: connection.agent,
        signal,
      });
      await response.body.dump();
      return response.statusCode;
    });
    if (status === 401 || status === 403) {
      return { ok: false, detail: `the SIEM refused the credentials (${method} answered ${status}): check SIEM_TOKEN or the SIEM auth settings` };
    }
    if (store) {
      if (status >= 200 && status < 300) return { ok: true, detail: `ok: an empty JSON array was accepted (${status})` };
      // Past authentication, a collector may still refuse a batch without events: that proves the path and the credentials.
      if (status === 400 || status === 422) return { ok: true, detail: `ok: credentials accepted; the SIEM refuses an empty JSON array (${status}), as collectors that take no empty batch do` };
      return { ok: false, detail: `the SIEM answered ${status} to an empty JSON array: check SIEM_URL (the collector's path)` };
    }
    if (status >= 500) return { ok: false, detail: `the SIEM answered ${status} to HEAD: it is reachable but failing` };
    return { ok: true, detail: `ok: reachable, credentials not refused (HEAD answered ${status}); --send-test-event posts an empty JSON array` };
  } catch (error) {
    return { ok: false, detail: hideSecrets(`cannot reach ${options.url}: ${(error as Error).message}: check SIEM_URL, SIEM_CA_FILE and the network`, secrets) };
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
