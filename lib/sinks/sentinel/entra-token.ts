import type { Dispatcher } from 'undici';
import type { Clock } from '../../core/time/clock.js';
import type { RetryOutcome } from '../http-classify.js';
import { classifyFailure, classifyResponse, retryWithoutResponse } from '../http-classify.js';
import { exchange, parseJsonBody } from '../../net/http-exchange.js';
import { OAuthTokenCache } from '../../net/oauth-token-cache.js';
import type { IssuedToken, RenewalMargin } from '../../net/oauth-token-cache.js';
import { formValueForms, hideSecrets, longestFirst } from '../../net/secret-texts.js';
import { excerpt } from '../../net/server-answer.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { ResponseTimeout } from '../../net/response-timeout.js';

/** The scope of Azure Monitor's ingestion API, as Microsoft documents it (the double slash is theirs). */
export const AZURE_MONITOR_SCOPE = 'https://monitor.azure.com//.default';

/** Settings of an Entra ID client-credentials token source. */
export interface EntraTokenOptions {
  /** `https://login.microsoftonline.com`, or a sovereign cloud's authority. */
  authorityHost: string;
  /** The directory (tenant) id of the app registration. */
  tenantId: string;
  /** The application (client) id. */
  clientId: string;
  clientSecret: string;
  /** @default AZURE_MONITOR_SCOPE */
  scope?: string;
  agent: Dispatcher;
  timeoutMs: number;
  clock: Clock;
}

/** A token, or why none could be had (already classified: the caller reports it as the request's outcome). */
export type TokenResult = { kind: 'token'; token: string } | { kind: 'failure'; outcome: RetryOutcome };

/**
 * Entra ID's tokens live an hour or more: one is renewed 5 minutes before it expires, or at half
 * its life when it is shorter than 10 minutes, so no request carries a token about to lapse.
 */
const ENTRA_TOKEN_RENEWAL: RenewalMargin = { percentOfLifetime: 50, atMostMs: 5 * 60_000 };

/** Why Entra ID gave no token, as the outcome of the request that needed one. */
class EntraTokenRefused extends Error {
  constructor(readonly outcome: RetryOutcome) {
    super(outcome.reason);
    this.name = 'EntraTokenRefused';
  }
}

/**
 * Access tokens from `POST {authority}/{tenant}/oauth2/v2.0/token` (grant `client_credentials`),
 * cached by OAuthTokenCache (concurrent callers share one request). Never throws: a refused
 * secret is an auth failure (`retry`, flagged for the alarm), anything else the usual
 * classification. The client secret never appears in a reason.
 */
export class EntraTokenSource {
  private readonly cache: OAuthTokenCache;
  private readonly url: string;
  // Entra ID is a destination of its own: its speed says nothing about the SIEM's.
  private readonly responseTimeout: ResponseTimeout;
  // The secret as sent (form-encoded) and as an error page might quote it.
  private readonly secrets: string[];

  constructor(private readonly options: EntraTokenOptions) {
    this.url = endpointUrl(options.authorityHost, `/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`);
    this.responseTimeout = new ResponseTimeout(options.timeoutMs);
    this.secrets = longestFirst(formValueForms(options.clientSecret));
    this.cache = new OAuthTokenCache({ issue: () => this.request(), clock: options.clock, renewal: ENTRA_TOKEN_RENEWAL });
  }

  /** A valid token: the cached one, or a new one. */
  async get(signal?: AbortSignal): Promise<TokenResult> {
    try {
      return { kind: 'token', token: await this.cache.token(signal) };
    } catch (error) {
      if (error instanceof EntraTokenRefused) return { kind: 'failure', outcome: error.outcome };
      // The caller stopped waiting: told as a request cut short, as exchange() tells it.
      const outcome = classifyFailure(error, false);
      return { kind: 'failure', outcome: { ...outcome, reason: `Entra ID token request: ${hideSecrets(outcome.reason, this.secrets)}` } };
    }
  }

  /** Forgets `token` (the API refused it with 401), so the next `get` asks for a new one. */
  invalidate(token: string): void {
    this.cache.invalidate(token);
  }

  /** @throws EntraTokenRefused when no token came back. */
  private async request(): Promise<IssuedToken> {
    const { clientId, clientSecret } = this.options;
    const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', scope: this.options.scope ?? AZURE_MONITOR_SCOPE });
    const response = await exchange({
      url: this.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      gzip: false,
      timeout: this.responseTimeout,
      agent: this.options.agent,
      secrets: this.secrets,
    });
    if (response.kind === 'failure') throw new EntraTokenRefused(retryWithoutResponse(`Entra ID token request: ${response.reason}`));
    const body = parseJsonBody(response.text) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (response.status === 200 && typeof body?.access_token === 'string' && body.access_token !== '') {
      return { value: body.access_token, lifetimeMs: Number(body.expires_in) * 1000 };
    }
    const detail = typeof body?.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : excerpt(response.text);
    const reason = `Entra ID token request: HTTP ${response.status}${detail ? ` ${excerpt(detail)}` : ''}`;
    const outcome = classifyResponse({ status: response.status, retryAfter: response.retryAfter, bodyExcerpt: '', eventCount: 1, nowMs: this.options.clock.now() });
    if (outcome.kind === 'retry' && !outcome.auth) throw new EntraTokenRefused({ ...outcome, reason });
    // Any other answer (invalid_client, unknown tenant, a 200 without a token) is a setting to fix,
    // never a reason to drop events: retried, and flagged for the alarm.
    throw new EntraTokenRefused({ kind: 'retry', reason, status: response.status, auth: true });
  }
}
