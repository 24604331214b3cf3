import { z } from 'zod';
import type { Clock } from '../../core/time/clock.js';
import { MpasAuthError, MpasNotFoundError, MpasRequestRejectedError, MpasResponseError } from './errors.js';
import { bodyText } from './http-transport.js';
import type { HttpTransport } from './http-transport.js';
import { readServerMessage } from './server-message.js';

/** How the client logs in to MPAS: the documented service user, or a confidential client. */
export type MpasCredentials =
  | { grant: 'password'; clientId: string; clientSecret?: string; username: string; password: string }
  | { grant: 'client_credentials'; clientId: string; clientSecret: string };

/** What the token provider needs; `MpasClient` builds it from its own options. */
export interface TokenProviderOptions {
  baseUrl: string;
  authRealm: string;
  credentials: MpasCredentials;
  transport: HttpTransport;
  clock: Clock;
}

interface CachedToken {
  value: string;
  expiresAt: number;
  lifetimeMs: number;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

// OAuth codes that mean the configured credentials or client are wrong, not that MPAS is down.
const CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/**
 * Gets access tokens from the MPAS token endpoint and caches them. A cached token is used
 * while more than max(10 s, 10% of its lifetime) remains, by the injected clock; callers that
 * need a token at the same moment share one request to the endpoint.
 */
export class TokenProvider {
  private current: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private readonly url: string;

  constructor(private readonly options: TokenProviderOptions) {
    this.url = `${options.baseUrl}/realms/${encodeURIComponent(options.authRealm)}/protocol/openid-connect/token`;
  }

  /**
   * A token fresh enough to use now.
   * @throws MpasAuthError when MPAS refuses the credentials; MpasUnavailableError after retries.
   */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.current;
    if (cached !== undefined && this.isFresh(cached)) return cached.value;
    return (await this.fetchShared(signal)).value;
  }

  /**
   * Replaces a token an endpoint refused with 401. When another caller has already replaced
   * it, that newer token is returned without asking the endpoint again.
   */
  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    if (this.current?.value === rejected) this.current = undefined;
    if (this.current !== undefined) return this.current.value;
    return (await this.fetchShared(signal)).value;
  }

  private isFresh(token: CachedToken): boolean {
    const margin = Math.max(10_000, token.lifetimeMs / 10);
    return token.expiresAt - this.options.clock.now() > margin;
  }

  /** Joins the request in flight or starts one; a caller's abort leaves the shared request running. */
  private fetchShared(signal?: AbortSignal): Promise<CachedToken> {
    if (this.pending === undefined) {
      const request = this.requestToken().then((token) => {
        this.current = token;
        return token;
      });
      this.pending = request;
      // Cleared either way, so a failure is not cached and the next caller tries again.
      const clear = (): void => {
        if (this.pending === request) this.pending = undefined;
      };
      request.then(clear, clear);
    }
    return abortable(this.pending, signal);
  }

  private async requestToken(): Promise<CachedToken> {
    const { credentials, clock, transport, authRealm } = this.options;
    const issuedAt = clock.now();
    const response = await transport.send({
      route: 'token',
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: formFor(credentials).toString(),
    });
    if (response.cutAtBytes !== undefined) {
      throw new MpasResponseError({ route: 'token', realm: authRealm, issues: [`body: more than ${response.cutAtBytes} bytes (MPAS_MAX_PAGE_BYTES), its read was cut`] });
    }
    if (response.status === 200) return parseToken(bodyText(response), issuedAt, authRealm);
    const message = readServerMessage(bodyText(response), secretsOf(credentials));
    const oauthError = message.oauthError;
    if (response.status === 401 || (response.status === 400 && oauthError !== undefined && CREDENTIAL_ERRORS.has(oauthError))) {
      throw new MpasAuthError({
        grant: credentials.grant,
        authRealm,
        status: response.status,
        ...(oauthError !== undefined ? { oauthError } : {}),
        ...(message.text !== undefined ? { description: message.text } : {}),
      });
    }
    if (response.status === 404) throw new MpasNotFoundError(authRealm, 'token');
    throw new MpasRequestRejectedError({
      route: 'token',
      realm: authRealm,
      status: response.status,
      ...(message.text !== undefined ? { serverMessage: message.text } : {}),
    });
  }
}

function formFor(credentials: MpasCredentials): URLSearchParams {
  const form = new URLSearchParams({ grant_type: credentials.grant, client_id: credentials.clientId });
  if (credentials.clientSecret !== undefined) form.set('client_secret', credentials.clientSecret);
  if (credentials.grant === 'password') {
    form.set('username', credentials.username);
    form.set('password', credentials.password);
  }
  return form;
}

function secretsOf(credentials: MpasCredentials): string[] {
  const secrets = [credentials.clientSecret ?? ''];
  if (credentials.grant === 'password') secrets.push(credentials.password, credentials.username);
  return secrets;
}

function parseToken(body: string, issuedAt: number, authRealm: string): CachedToken {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // No cause attached: a SyntaxError quotes the body, and this body may hold a token.
    throw new MpasResponseError({ route: 'token', realm: authRealm, issues: ['body: not JSON'] });
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw new MpasResponseError({ route: 'token', realm: authRealm, issues });
  }
  const lifetimeMs = parsed.data.expires_in * 1000;
  // Counted from before the request was sent, so the cached expiry errs on the early side.
  return { value: parsed.data.access_token, expiresAt: issuedAt + lifetimeMs, lifetimeMs };
}

/** Resolves as `promise` does, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
