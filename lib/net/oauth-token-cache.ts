import type { Clock } from '../core/time/clock.js';

/** A token an endpoint issued, and how long it said the token lives (`expires_in`, in ms; 0 when unknown). */
export interface IssuedToken {
  value: string;
  lifetimeMs: number;
}

/**
 * How long before its expiry a token is renewed: `percentOfLifetime` of its lifetime, raised to
 * `atLeastMs` and lowered to `atMostMs`. Each caller sets the numbers for its identity provider.
 */
export interface RenewalMargin {
  percentOfLifetime: number;
  /** @default 0 */
  atLeastMs?: number;
  /** @default Infinity */
  atMostMs?: number;
}

/** What the cache needs: how to ask for a token, its clock and its renewal margin. */
export interface OAuthTokenCacheOptions {
  /**
   * Asks the token endpoint once. Its rejection reaches every caller waiting on it and is never
   * cached. It runs without any caller's signal: it must end by itself (a request timeout).
   */
  issue: () => Promise<IssuedToken>;
  clock: Clock;
  renewal: RenewalMargin;
}

interface CachedToken {
  value: string;
  renewAt: number;
}

/**
 * The access tokens of one OAuth client (client credentials or password grant), for every
 * caller of one process. The one renewal rule: a token is used until `renewal`'s margin before
 * it expires, counted from before the request that issued it, so no request carries a token
 * about to lapse on its way (a token's life is often minutes: a renewal ahead of time costs one
 * request, a lapse costs a refused request and a retry). Callers that need a token at the same
 * moment share one request (single flight), and a caller's abort leaves that request to the
 * others. A failure is not cached: the next caller asks again. A token an API refused (401) is
 * dropped with {@link OAuthTokenCache.renew}, which hands back a newer one when another caller
 * has already got it.
 */
export class OAuthTokenCache {
  private current: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;

  constructor(private readonly options: OAuthTokenCacheOptions) {}

  /** A token fresh enough to use now: the cached one, or a new one. Rejects as `issue` does, or with the signal's reason. */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.current;
    if (cached !== undefined && this.options.clock.now() < cached.renewAt) return cached.value;
    return (await this.shared(signal)).value;
  }

  /**
   * Replaces `rejected`, a token an API refused with 401. When another caller has already
   * replaced it, that newer token is returned without asking the endpoint again.
   */
  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    this.invalidate(rejected);
    if (this.current !== undefined) return this.current.value;
    return (await this.shared(signal)).value;
  }

  /** Forgets `rejected` if it is the cached token, so the next caller gets a new one. */
  invalidate(rejected: string): void {
    if (this.current?.value === rejected) this.current = undefined;
  }

  /** Joins the request in flight or starts one. */
  private shared(signal?: AbortSignal): Promise<CachedToken> {
    if (this.pending === undefined) {
      const request = this.issue();
      this.pending = request;
      // Cleared either way, so a failure is not cached and the next caller tries again.
      const clear = (): void => {
        if (this.pending === request) this.pending = undefined;
      };
      request.then(clear, clear);
    }
    return abortable(this.pending, signal);
  }

  private async issue(): Promise<CachedToken> {
    const issuedAt = this.options.clock.now();
    const issued = await this.options.issue();
    const lifetimeMs = Number.isFinite(issued.lifetimeMs) && issued.lifetimeMs > 0 ? issued.lifetimeMs : 0;
    const token = { value: issued.value, renewAt: issuedAt + lifetimeMs - renewalMarginMs(lifetimeMs, this.options.renewal) };
    this.current = token;
    return token;
  }
}

/** How long before the expiry of a token living `lifetimeMs` it is renewed. */
export function renewalMarginMs(lifetimeMs: number, margin: RenewalMargin): number {
  // Multiplied before divided: exact for whole milliseconds (a tenth of 300 s is 30 s, not 30 s and a rounding error).
  const share = (lifetimeMs * margin.percentOfLifetime) / 100;
  return Math.min(margin.atMostMs ?? Infinity, Math.max(margin.atLeastMs ?? 0, share));
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
