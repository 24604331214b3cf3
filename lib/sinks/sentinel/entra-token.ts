import type { Dispatcher } from 'undici';
import type { Clock } from '../../core/time/clock.js';
import type { HttpOutcome } from '../http-classify.js';
import { classifyResponse, excerpt } from '../http-classify.js';
import { exchange, parseJsonBody } from '../../net/http-exchange.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { ResponseTimeout } from '../response-timeout.js';

/** The scope of Azure Monitor's ingestion API, as Microsoft documents it (the double slash is theirs). */
export const AZURE_MONITOR_SCOPE = 'https://monitor.azure.com//.default';

/** Microsoft Entra ID's public cloud authority. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

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
export type TokenResult = { kind: 'token'; token: string } | { kind: 'failure'; outcome: Extract<HttpOutcome, { kind: 'retry' }> };

// Renewed this long before it expires (at most half its life), so no request carries a token about to lapse.
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Access tokens from `POST {authority}/{tenant}/oauth2/v2.0/token` (grant `client_credentials`),
 * cached until shortly before `expires_in`; concurrent callers share one request. Never
 * throws: a refused secret is an auth failure (`retry`, flagged for the alarm), anything else
 * the usual classification. The client secret never appears in a reason.
 */
export class EntraTokenSource {
  private cached: { token: string; renewAt: number } | undefined;
  private inFlight: Promise<TokenResult> | undefined;
  private readonly url: string;
  // Entra ID is a destination of its own: its speed says nothing about the SIEM's.
  private readonly responseTimeout: ResponseTimeout;

  constructor(private readonly options: EntraTokenOptions) {
    this.url = endpointUrl(options.authorityHost, `/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`);
    this.responseTimeout = new ResponseTimeout(options.timeoutMs);
  }

  /** A valid token: the cached one, or a new one. */
  get(signal?: AbortSignal): Promise<TokenResult> {
    if (this.cached && this.options.clock.now() < this.cached.renewAt) return Promise.resolve({ kind: 'token', token: this.cached.token });
    this.inFlight ??= this.request(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets `token` (the API refused it with 401), so the next `get` asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async request(signal: AbortSignal | undefined): Promise<TokenResult> {
    const { clientId, clientSecret } = this.options;
    const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', scope: this.options.scope ?? AZURE_MONITOR_SCOPE });
    // The secret as sent (form-encoded) and as an error page might quote it.
    const secrets = [...new Set([clientSecret, encodeURIComponent(clientSecret), new URLSearchParams({ s: clientSecret }).toString().slice(2)])].sort((a, b) => b.length - a.length);
    const started = this.options.clock.now();
    const response = await exchange({
      url: this.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      gzip: false,
      timeout: this.responseTimeout,
      agent: this.options.agent,
      signal,
      secrets,
    });
    if (response.kind === 'failure') return { kind: 'failure', outcome: { ...response.outcome, reason: `Entra ID token request: ${response.outcome.reason}` } };
    const body = parseJsonBody(response.text) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (response.status === 200 && typeof body?.access_token === 'string' && body.access_token !== '') {
      const lifetimeMs = Number(body.expires_in) * 1000;
      const life = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? lifetimeMs : 0;
      this.cached = { token: body.access_token, renewAt: started + life - Math.min(RENEW_BEFORE_MS, life / 2) };
      return { kind: 'token', token: body.access_token };
    }
    const detail = typeof body?.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : excerpt(response.text);
    const reason = `Entra ID token request: HTTP ${response.status}${detail ? ` ${excerpt(detail)}` : ''}`;
    const outcome = classifyResponse({ status: response.status, retryAfter: response.retryAfter, bodyExcerpt: '', eventCount: 1, nowMs: this.options.clock.now() });
    if (outcome.kind === 'retry' && !outcome.auth) return { kind: 'failure', outcome: { ...outcome, reason } };
    // Any other answer (invalid_client, unknown tenant, a 200 without a token) is a setting to fix,
    // never a reason to drop events: retried, and flagged for the alarm.
    return { kind: 'failure', outcome: { kind: 'retry', reason, status: response.status, auth: true } };
  }
}
