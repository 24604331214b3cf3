import { describe, expect, it, vi } from 'vitest';
import { OAuthTokenCache, renewalMarginMs } from '../../../lib/net/oauth-token-cache.js';
import type { IssuedToken } from '../../../lib/net/oauth-token-cache.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

/** A cache over an endpoint that issues `t1`, `t2`, ... living `lifetimeMs`, or settles as the test says. */
function setup(lifetimeMs = 300_000) {
  const clock = new ManualClock(1_000_000);
  let issued = 0;
  const pending: Array<{ resolve: (token: IssuedToken) => void; reject: (error: Error) => void }> = [];
  let manual = false;
  const issue = vi.fn(
    () =>
      new Promise<IssuedToken>((resolve, reject) => {
        if (manual) pending.push({ resolve, reject });
        else resolve({ value: `t${++issued}`, lifetimeMs });
      }),
  );
  const cache = new OAuthTokenCache({ issue, clock, renewal: { percentOfLifetime: 10, atLeastMs: 10_000 } });
  return { clock, cache, issue, pending, holdRequests: () => (manual = true) };
}

describe('OAuthTokenCache', () => {
  it('uses a token until its renewal margin before expiry, counted from before the request', async () => {
    const { cache, clock, issue } = setup(300_000);
    await expect(cache.token()).resolves.toBe('t1');
    clock.advance(300_000 - 30_000 - 1);
    await expect(cache.token()).resolves.toBe('t1');
    clock.advance(1);
    await expect(cache.token()).resolves.toBe('t2');
    expect(issue).toHaveBeenCalledTimes(2);
  });

  it('shares one request among concurrent callers, and a caller that aborts leaves it to the others', async () => {
    const { cache, issue, pending, holdRequests } = setup();
    holdRequests();
    const controller = new AbortController();
    const impatient = cache.token(controller.signal);
    const patient = [cache.token(), cache.token()];
    controller.abort(new Error('stopped'));
    await expect(impatient).rejects.toThrow('stopped');
    pending[0]!.resolve({ value: 'shared', lifetimeMs: 300_000 });
    await expect(Promise.all(patient)).resolves.toEqual(['shared', 'shared']);
    expect(issue).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failure: every waiting caller gets it, the next caller asks again', async () => {
    const { cache, issue, pending, holdRequests } = setup();
    holdRequests();
    const waiting = [cache.token(), cache.token()];
    pending[0]!.reject(new Error('refused'));
    await expect(Promise.all(waiting)).rejects.toThrow('refused');
    const next = cache.token();
    pending[1]!.resolve({ value: 'ok', lifetimeMs: 300_000 });
    await expect(next).resolves.toBe('ok');
    expect(issue).toHaveBeenCalledTimes(2);
  });

  it('renews a refused token once, and hands a late reporter the newer one', async () => {
    const { cache, issue } = setup();
    const refused = await cache.token();
    await expect(Promise.all([cache.renew(refused), cache.renew(refused)])).resolves.toEqual(['t2', 't2']);
    await expect(cache.renew(refused)).resolves.toBe('t2');
    cache.invalidate(refused);
    await expect(cache.token()).resolves.toBe('t2');
    expect(issue).toHaveBeenCalledTimes(2);
  });

  it('never reuses a token without a usable lifetime', async () => {
    const { cache, issue } = setup(Number.NaN);
    await cache.token();
    await cache.token();
    expect(issue).toHaveBeenCalledTimes(2);
  });
});

describe('renewalMarginMs', () => {
  it('takes the share of the lifetime, raised to the floor and lowered to the ceiling', () => {
    expect(renewalMarginMs(300_000, { percentOfLifetime: 10, atLeastMs: 10_000 })).toBe(30_000);
    expect(renewalMarginMs(60_000, { percentOfLifetime: 10, atLeastMs: 10_000 })).toBe(10_000);
    expect(renewalMarginMs(3_599_000, { percentOfLifetime: 50, atMostMs: 300_000 })).toBe(300_000);
    expect(renewalMarginMs(60_000, { percentOfLifetime: 50, atMostMs: 300_000 })).toBe(30_000);
  });
});
