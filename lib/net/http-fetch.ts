import { request } from './undici-core.js';
import type { Dispatcher } from 'undici';

/** The request the MPAS transport makes: what it passes to `fetch`. */
export interface HttpFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: 'manual';
}

/** The part of a response the transport reads; a WHATWG `Response` has it. */
export interface HttpFetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  /** Read as it arrives, so that the transport can stop at its byte limit (see readBoundedBody). */
  body: AsyncIterable<Uint8Array> | null;
}

/** What the transport needs of `fetch`: global `fetch` (and a test's scripted one) fits. */
export type HttpFetch = (url: string, init: HttpFetchInit) => Promise<HttpFetchResponse>;

/**
 * One request through undici's `request()`, for the MPAS client (through {@link undiciFetchVia})
 * and the sinks (their posts, exchange() and health checks). It never follows a
 * redirect: a 3xx is the answer, so no credential is replayed to another host. `dispatcher` is
 * the connection pool (a sink's Agent, or MPAS's when `MPAS_CA_FILE` names a private CA;
 * undici's global one otherwise).
 */
export function sendRequest(url: string, init: SendRequestInit): Promise<Dispatcher.ResponseData> {
  return request(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}),
  });
}

/** What {@link sendRequest} sends. */
export interface SendRequestInit {
  method: 'GET' | 'POST' | 'HEAD';
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  signal: AbortSignal;
  dispatcher?: Dispatcher | undefined;
}

/**
 * The transport's default: {@link sendRequest}. Global `fetch` costs about twice its CPU for a
 * page of a thousand events (measured here: 1.1-1.5 ms against 2.8-3.3 ms per 550 KB page, both
 * ends of the loopback counted): its WHATWG streams are the difference. A caller's abort rejects
 * with the signal's reason, as `fetch` does; a connection failure keeps its `code`.
 */
export const undiciFetch: HttpFetch = undiciFetchVia(undefined);

/** {@link undiciFetch} through `dispatcher` (undici's global dispatcher when undefined). */
export function undiciFetchVia(dispatcher: Dispatcher | undefined): HttpFetch {
  return async (url, init) => {
    try {
      const response = await sendRequest(url, { method: init.method as 'GET' | 'POST', headers: init.headers, body: init.body, signal: init.signal, dispatcher });
      return {
        status: response.statusCode,
        headers: { get: (name) => headerValue(response.headers[name.toLowerCase()]) },
        body: response.body,
      };
    } catch (error) {
      if (init.signal.aborted) throw init.signal.reason;
      throw error;
    }
  };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
