import { parseRetryAfter } from '../../net/retry-after.js';
import type { Clock } from '../../core/time/clock.js';
import type { Sleep } from '../../core/time/sleep.js';
import { describeConnectionFailure } from '../../net/connection-failure.js';
import { MpasUnavailableError } from './errors.js';
import { readBoundedBody } from '../../net/bounded-body.js';
import { formValueForms, hideSecrets, longestFirst } from '../../net/secret-texts.js';
import { excerpt } from '../../net/server-answer.js';
import { RequestTimeout, timedRequest } from '../../net/timed-request.js';
import { DEFAULT_MAX_BODY_BYTES } from './page-limits.js';
import type { HttpFetch, HttpFetchResponse } from '../../net/http-fetch.js';
import type { MpasRoute } from './errors.js';
import type { RetryPolicy } from './retry-policy.js';
import type { ServerClock } from './server-clock.js';

/**
 * A response read to its end: a page is used whole or not at all, never half-consumed. The body
 * stays bytes: a page is parsed from them (see `parseEventPage`), anything else through `bodyText`.
 */
export interface HttpResult {
  status: number;
  headers: HttpFetchResponse['headers'];
  body: Uint8Array;
  /** Set when the body weighed more than the transport's `maxBodyBytes`: its read was cut, `body` is empty. */
  cutAtBytes?: number;
}

const utf8 = new TextDecoder();

/** The body as text, decoded as `Response.text()` does (UTF-8, a byte order mark dropped). */
export function bodyText(result: HttpResult): string {
  return utf8.decode(result.body);
}

/** One request to MPAS; the transport may send it several times. */
export interface HttpRequest {
  route: MpasRoute;
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the transport reports after every attempt, for metrics. */
export interface RequestInfo {
  route: MpasRoute;
  /** Undefined when the attempt got no response (timeout, connection failure). */
  status?: number;
  /** Measured with the injected clock. */
  durationMs: number;
  /**
   * What went wrong: a status of 400 or more with the start of its body, or, without a response,
   * the timeout and its length or the connection error and its code.
   */
  failure?: string;
}

/** How the transport sends, waits and gives up; built by `MpasClient` from its options. */
export interface HttpTransportOptions {
  fetch: HttpFetch;
  clock: Clock;
  sleep: Sleep;
  policy: RetryPolicy;
  requestTimeoutMs: number;
  onRequest?: (info: RequestInfo) => void;
  /** Fed with every answer's `Date` header. */
  serverClock?: ServerClock;
  /** The most an answer's body may weigh (MPAS_MAX_PAGE_BYTES). @default DEFAULT_MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

/**
 * Sends requests to MPAS with a timeout per attempt and retries what is transient (429, 5xx,
 * timeouts, connection failures) according to the retry policy. Any other response, 4xx
 * included, is handed back for the caller to interpret. A caller's abort ends everything at
 * once with the signal's reason, never as an `MpasUnavailableError`.
 */
export class HttpTransport {
  constructor(private readonly options: HttpTransportOptions) {}

  /**
   * @throws MpasUnavailableError when every attempt was transient.
   * @throws the signal's reason when `signal` aborts.
   */
  async send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResult> {
    const { policy, sleep, clock } = this.options;
    for (let attemptsMade = 1; ; attemptsMade += 1) {
      signal?.throwIfAborted();
      let retryAfterMs: number | undefined;
      let lastStatus: number | undefined;
      let failure: unknown;
      try {
        const result = await this.attempt(request, signal);
        if (policy.classify(result.status) !== 'retry') return result;
        lastStatus = result.status;
        // 503 may carry Retry-After too (RFC 9110 section 10.2.3); Keycloak behind a proxy sends it.
        if (result.status === 429 || result.status === 503) {
          retryAfterMs = parseRetryAfter(result.headers.get('retry-after'), clock.now());
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = error;
      }
      const decision = policy.decide({ attemptsMade, retryAfterMs });
      if (!decision.retry) {
        throw new MpasUnavailableError(
          {
            route: request.route,
            attempts: attemptsMade,
            ...(lastStatus !== undefined ? { lastStatus } : { lastFailure: describeFailure(failure) }),
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          },
          failure !== undefined ? { cause: failure } : undefined,
        );
      }
      await sleep(decision.delayMs, signal);
    }
  }

  /** One attempt, the body read to its end within the timeout. */
  private async attempt(request: HttpRequest, signal?: AbortSignal): Promise<HttpResult> {
    const { clock, requestTimeoutMs, onRequest } = this.options;
    const startedAt = clock.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      return await timedRequest(requestTimeoutMs, signal, async (timed) => {
        const response = await this.options.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined ? { body: request.body } : {}),
          signal: timed,
          // The admin API does not redirect; a 3xx (say http -> https) is reported, not followed with the token.
          redirect: 'manual',
        });
        status = response.status;
        this.options.serverClock?.observe(response.headers.get('date'), startedAt, clock.now());
        const read = await readBoundedBody(response.body, response.headers.get('content-length'), this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
        const body = read.bytes;
        // Cut at the limit: handed back as it is, status and all (a 200 cut is not transient, and
        // the client says so); what was read is dropped.
        if (read.cut) return { status: response.status, headers: response.headers, body, cutAtBytes: read.limitBytes };
        // What the server said with a refusal or an error page: the first thing an operator reads.
        if (response.status >= 400) failure = describeStatus(response.status, hideSecrets(utf8.decode(body), credentialsOf(request)));
        return { status: response.status, headers: response.headers, body };
      });
    } catch (error) {
      // The caller's stop is no failure of MPAS's.
      if (!signal?.aborted) failure = describeFailure(error);
      throw error;
    } finally {
      onRequest?.({ route: request.route, ...(status !== undefined ? { status } : {}), ...(failure !== undefined ? { failure } : {}), durationMs: clock.now() - startedAt });
    }
  }
}

/** `HTTP 503: <the start of the body>`, token-like values hidden (the body is the server's, not ours to trust). */
function describeStatus(status: number, body: string): string {
  const shown = excerpt(body);
  return shown.length > 0 ? `HTTP ${status}: ${shown}` : `HTTP ${status}`;
}

/**
 * What `request` carries as a credential (the bearer token, the token form's client secret and
 * password), longest first: hidden by value in what the server answers, before it is cut.
 */
function credentialsOf(request: HttpRequest): string[] {
  const found: string[] = [];
  const authorization = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (authorization !== undefined) found.push(authorization, authorization.replace(/^\S+\s+/, ''));
  if (request.body !== undefined) {
    const form = new URLSearchParams(request.body);
    for (const field of ['client_secret', 'password']) {
      const value = form.get(field);
      if (value !== null) found.push(...formValueForms(value));
    }
  }
  return longestFirst(found);
}

/** A short, secret-free account of a failed attempt: no URL query, no headers, no body. */
function describeFailure(error: unknown): string {
  if (error instanceof RequestTimeout) return `a timeout (${error.message})`;
  if (error === undefined) return 'a connection failure';
  // fetch wraps the socket's error (its `code` in `cause`); undici's request() throws it as it is.
  const { code, text } = describeConnectionFailure(error);
  return code === undefined ? `a connection failure (${text})` : `a connection failure (${code}: ${text})`;
}
