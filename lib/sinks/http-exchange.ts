import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { hideSecrets } from './http-auth.js';
import type { HttpOutcome } from './http-classify.js';
import { classifyFailure } from './http-classify.js';
import type { ResponseTimeout } from './response-timeout.js';

const gzip = promisify(gzipCallback);

/** Bytes of an error response kept for the reason; the rest is discarded. */
const MAX_ERROR_BODY_BYTES = 4096;

/** One request of a protocol sink (HEC, `_bulk`): everything but the connection pool. */
export interface ExchangeRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  /** Compresses the body and says so in `Content-Encoding`. */
  gzip: boolean;
  /** The destination's adaptive response timeout (see ResponseTimeout), told how this request ended. */
  timeout: ResponseTimeout;
  agent: Dispatcher;
  /** The caller's stop signal; the timeout is added to it. */
  signal?: AbortSignal | undefined;
  /** Texts to hide in everything read back (a collector may echo a rejected token). */
  secrets: readonly string[];
}

/** A response: the whole body for 2xx (it holds per-item results), the start of it otherwise. */
export interface ExchangeResponse {
  kind: 'response';
  status: number;
  retryAfter?: string | undefined;
  /** The body, secrets already hidden. */
  text: string;
}

/** No response (timeout, connection error): already classified as a retry. */
export interface ExchangeFailure {
  kind: 'failure';
  outcome: Extract<HttpOutcome, { kind: 'retry' }>;
}

/**
 * Sends one request and reads its answer; never throws. Sinks that must read a success body
 * (Elasticsearch's per-item results, HEC's ackId) use this instead of the generic sink's post.
 */
export async function exchange(req: ExchangeRequest): Promise<ExchangeResponse | ExchangeFailure> {
  const headers: Record<string, string> = { 'user-agent': 'mpas-log-sync', ...req.headers };
  let body: Buffer = Buffer.from(req.body, 'utf8');
  if (req.gzip) {
    body = await gzip(body);
    headers['content-encoding'] = 'gzip';
  }
  const timed = req.timeout.start();
  const expiry = new AbortController();
  const timer = setTimeout(() => expiry.abort(), timed.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, expiry.signal]) : expiry.signal;
  try {
    const response = await request(req.url, { method: req.method ?? 'POST', headers, body, dispatcher: req.agent, signal });
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const text = ok ? await response.body.text() : await readStart(response.body);
    timed.answered();
    const retryAfter = response.headers['retry-after'];
    return {
      kind: 'response',
      status: response.statusCode,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      text: hideSecrets(text, req.secrets),
    };
  } catch (error) {
    // A connection error or the caller's stop says nothing about how fast the SIEM answers.
    if (expiry.signal.aborted) timed.timedOut();
    const outcome = classifyFailure(error, expiry.signal.aborted, timed.timeoutMs) as ExchangeFailure['outcome'];
    return { kind: 'failure', outcome: { ...outcome, reason: hideSecrets(outcome.reason, req.secrets) } };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads up to MAX_ERROR_BODY_BYTES of a body and discards the rest. */
async function readStart(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_ERROR_BODY_BYTES) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/** The JSON body of a response, or undefined when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
