import * as z from 'zod';
import type { Clock } from '../../core/time/clock.js';
import { OAuthTokenCache } from '../../net/oauth-token-cache.js';
import type { IssuedToken, RenewalMargin } from '../../net/oauth-token-cache.js';
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

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

// OAuth codes that mean the configured credentials or client are wrong, not that MPAS is down.
const CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/**
 * Keycloak's access tokens live minutes: one is renewed once 10% of its life is left, and never
 * later than 10 s before it expires, the default time one request to MPAS may take (see
 * MpasClientOptions.requestTimeoutMs).
 */
const MPAS_TOKEN_RENEWAL: RenewalMargin = { percentOfLifetime: 10, atLeastMs: 10_000 };

/**
 * Gets access tokens from the MPAS token endpoint and caches them (see OAuthTokenCache: callers
 * that need a token at the same moment share one request, a failure is not cached).
 */
export class TokenProvider {
  private readonly cache: OAuthTokenCache;
  private readonly url: string;

  constructor(private readonly options: TokenProviderOptions) {
    this.url = `${options.baseUrl}/realms/${encodeURIComponent(options.authRealm)}/protocol/openid-connect/token`;
    this.cache = new OAuthTokenCache({ issue: () => this.requestToken(), clock: options.clock, renewal: MPAS_TOKEN_RENEWAL });
  }

  /**
   * A token fresh enough to use now.
   * @throws MpasAuthError when MPAS refuses the credentials; MpasUnavailableError after retries.
   */
  token(signal?: AbortSignal): Promise<string> {
    return this.cache.token(signal);
  }

  /**
   * Replaces a token an endpoint refused with 401. When another caller has already replaced
   * it, that newer token is returned without asking the endpoint again.
   */
  renew(rejected: string, signal?: AbortSignal): Promise<string> {
    return this.cache.renew(rejected, signal);
  }

  private async requestToken(): Promise<IssuedToken> {
    const { credentials, transport, authRealm } = this.options;
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
    if (response.status === 200) return parseToken(bodyText(response), authRealm);
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

function parseToken(body: string, authRealm: string): IssuedToken {
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
  return { value: parsed.data.access_token, lifetimeMs: parsed.data.expires_in * 1000 };
}
