import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { describeNoResponse } from './connection-failure.js';
import { sendRequest } from './http-fetch.js';
import type { ResponseTimeout } from './response-timeout.js';
import { readAnswerStart } from './server-answer.js';
import { hideSecrets } from './secret-texts.js';
import { RequestTimeout, timedRequest } from './timed-request.js';

const gzip = promisify(gzipCallback);

/** Characters of an error response kept for the reason (secrets hidden first); the rest is discarded. */
export const MAX_ERROR_BODY_CHARS = 4096;

/** One request of a protocol sink (HEC, `_bulk`) or a token endpoint: everything but the connection pool. */
export interface ExchangeRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  /** Compresses the body and says so in `Content-Encoding`. */
  gzip: boolean;
  /** The destination's adaptive response timeout, told how this request ended. */
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

/** No response (timeout, connection error, the caller's stop): what happened, told by describeNoResponse. */
export interface ExchangeFailure {
  kind: 'failure';
  /** Secrets already hidden. */
  reason: string;
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
  try {
    return await timedRequest(timed.timeoutMs, req.signal, async (signal) => {
      const response = await sendRequest(req.url, { method: req.method ?? 'POST', headers, body, dispatcher: req.agent, signal });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Secrets hidden before an error body is cut, so none is left half shown at the cut.
      const text = ok ? hideSecrets(await response.body.text(), req.secrets) : await readAnswerStart(response.body, MAX_ERROR_BODY_CHARS, req.secrets);
      timed.answered();
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'response',
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        text,
      };
    });
  } catch (error) {
    // A connection error or the caller's stop says nothing about how fast the server answers.
    const timedOut = error instanceof RequestTimeout;
    if (timedOut) timed.timedOut();
    return { kind: 'failure', reason: hideSecrets(describeNoResponse(error, timedOut, timed.timeoutMs), req.secrets) };
  }
}

/** The JSON body of a response, or undefined when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
