import { describe, expect, it, vi } from 'vitest';
import { MpasAuthError, MpasNotFoundError, MpasRequestRejectedError, MpasResponseError, MpasUnavailableError } from '../../../../lib/sources/mpas/errors.js';
import { HttpTransport } from '../../../../lib/sources/mpas/http-transport.js';
import { RetryPolicy } from '../../../../lib/sources/mpas/retry-policy.js';
import { TokenProvider } from '../../../../lib/sources/mpas/token-provider.js';
import type { MpasCredentials } from '../../../../lib/sources/mpas/token-provider.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { json, recordingSleep, scriptedFetch } from '../../../support/scripted-fetch.js';
import type { ScriptStep } from '../../../support/scripted-fetch.js';

const T0 = Date.parse('2025-02-12T19:00:00.000Z');
const PASSWORD: MpasCredentials = { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'pa55-w0rd!' };
const SERVICE: MpasCredentials = { grant: 'client_credentials', clientId: 'log-sync', clientSecret: 's3cr3t-value' };

/** Issues tokens `t1`, `t2`, ... valid for `lifetimeSeconds`, unless `step` answers otherwise. */
function tokenServer(lifetimeSeconds: number) {
  let issued = 0;
  return (): Response => {
    issued += 1;
    return json(200, { access_token: `t${issued}`, expires_in: lifetimeSeconds, token_type: 'Bearer' });
  };
}

function setup(step: ScriptStep, credentials: MpasCredentials = PASSWORD) {
  const clock = new ManualClock(T0);
  const { fetch, calls } = scriptedFetch(step);
  const { sleep, delays } = recordingSleep();
  const transport = new HttpTransport({ fetch, clock, sleep, policy: new RetryPolicy({ attempts: 3 }, () => 0.5), requestTimeoutMs: 1_000 });
  const provider = new TokenProvider({ baseUrl: 'http://mpas.test', authRealm: 'master', credentials, transport, clock });
  return { clock, calls, delays, provider };
}

describe('TokenProvider', () => {
  it('posts the password grant form to the auth realm token endpoint', async () => {
    const { provider, calls } = setup(tokenServer(300));
    await expect(provider.token()).resolves.toBe('t1');
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.method).toBe('POST');
    expect(call?.url.toString()).toBe('http://mpas.test/realms/master/protocol/openid-connect/token');
    expect(call?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(call?.body))).toEqual({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: 'mpas-log-sync',
      password: 'pa55-w0rd!',
    });
  });

  it('adds client_secret to the password grant only when one is configured', async () => {
    const { provider, calls } = setup(tokenServer(300), { ...PASSWORD, clientSecret: 'cs' });
    await provider.token();
    expect(new URLSearchParams(calls[0]?.body).get('client_secret')).toBe('cs');
  });

  it('posts the client_credentials grant with the client id and secret', async () => {
    const { provider, calls } = setup(tokenServer(300), SERVICE);
    await provider.token();
    expect(Object.fromEntries(new URLSearchParams(calls[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'log-sync',
      client_secret: 's3cr3t-value',
    });
  });

  it('reuses the cached token until 10% of a long lifetime remains', async () => {
    const { provider, clock, calls } = setup(tokenServer(300));
    await provider.token();
    clock.advance(269_000); // 31 s left of 300 s: more than the 30 s margin
    await expect(provider.token()).resolves.toBe('t1');
    expect(calls).toHaveLength(1);
    clock.advance(2_000); // 29 s left
    await expect(provider.token()).resolves.toBe('t2');
    expect(calls).toHaveLength(2);
  });

  it('keeps at least 10 s of margin for short lifetimes', async () => {
    const { provider, clock, calls } = setup(tokenServer(60));
    await provider.token();
    clock.advance(49_000); // 11 s left: 10% would be 6 s, the floor is 10 s
    await expect(provider.token()).resolves.toBe('t1');
    clock.advance(2_000); // 9 s left
    await expect(provider.token()).resolves.toBe('t2');
    expect(calls).toHaveLength(2);
  });

  it('lets concurrent callers share one token request', async () => {
    let release: (response: Response) => void = () => undefined;
    const { provider, calls } = setup(() => new Promise<Response>((resolve) => (release = resolve)));
    const waiting = [provider.token(), provider.token(), provider.token()];
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    release(json(200, { access_token: 'shared', expires_in: 300 }));
    await expect(Promise.all(waiting)).resolves.toEqual(['shared', 'shared', 'shared']);
    expect(calls).toHaveLength(1);
  });

  it('keeps the shared request going when one caller aborts', async () => {
    let release: (response: Response) => void = () => undefined;
    const { provider, calls } = setup(() => new Promise<Response>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const impatient = provider.token(controller.signal);
    const patient = provider.token();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    controller.abort(new Error('poll budget spent'));
    await expect(impatient).rejects.toThrow('poll budget spent');
    release(json(200, { access_token: 'late', expires_in: 300 }));
    await expect(patient).resolves.toBe('late');
    expect(calls).toHaveLength(1);
  });

  it('renews a rejected token, but only once when several callers report it', async () => {
    const { provider, calls } = setup(tokenServer(300));
    const rejected = await provider.token();
    const renewed = await Promise.all([provider.renew(rejected), provider.renew(rejected)]);
    expect(renewed).toEqual(['t2', 't2']);
    // A caller that reports t1 late gets t2, not a third token.
    await expect(provider.renew(rejected)).resolves.toBe('t2');
    expect(calls).toHaveLength(2);
  });

  it('does not cache a failure: the next call asks again', async () => {
    const { provider, calls } = setup((_request, index) => (index === 0 ? json(400, { error: 'invalid_request' }) : json(200, { access_token: 'ok', expires_in: 300 })));
    await expect(provider.token()).rejects.toBeInstanceOf(MpasRequestRejectedError);
    await expect(provider.token()).resolves.toBe('ok');
    expect(calls).toHaveLength(2);
  });

  it('refuses bad user credentials naming MPAS_USERNAME/MPAS_PASSWORD and never the password', async () => {
    const { provider } = setup(() => json(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' }));
    const error = await provider.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasAuthError);
    const message = (error as Error).message;
    expect(message).toContain('check MPAS_USERNAME/MPAS_PASSWORD');
    expect(message).toContain('invalid_grant: Invalid user credentials');
    expect(message).not.toContain('pa55-w0rd!');
  });

  it('points at MPAS_CLIENT_ID/MPAS_CLIENT_SECRET when the client is refused', async () => {
    const { provider } = setup(() => json(401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' }), SERVICE);
    const error = await provider.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasAuthError);
    expect((error as Error).message).toContain('check MPAS_CLIENT_ID/MPAS_CLIENT_SECRET');
    expect((error as Error).message).not.toContain('s3cr3t-value');
  });

  it('treats a 400 invalid_grant (a disabled account) as an auth error too', async () => {
    const { provider } = setup(() => json(400, { error: 'invalid_grant', error_description: 'Account disabled' }));
    await expect(provider.token()).rejects.toThrow(/Account disabled\): check MPAS_USERNAME\/MPAS_PASSWORD/);
  });

  it('masks credentials a server echoes back in its error description', async () => {
    const { provider } = setup(() => json(401, { error: 'invalid_grant', error_description: 'no user mpas-log-sync with password pa55-w0rd!' }));
    const error = await provider.token().catch((caught: unknown) => caught);
    expect((error as Error).message).not.toContain('pa55-w0rd!');
    expect((error as Error).message).not.toContain('mpas-log-sync');
    expect((error as Error).message).toContain('<redacted>');
  });

  it('reports an unknown auth realm as MpasNotFoundError', async () => {
    const { provider } = setup(() => json(404, { error: 'Realm does not exist' }));
    await expect(provider.token()).rejects.toThrow(MpasNotFoundError);
    await expect(provider.token()).rejects.toThrow(/no realm master .*MPAS_AUTH_REALM/);
  });

  it('refuses a token response without a token, and never quotes a malformed body', async () => {
    const missing = setup(() => json(200, { expires_in: 300 }));
    await expect(missing.provider.token()).rejects.toThrow(/access_token: Invalid input/);
    const broken = setup(() => new Response('{"access_token":"eyJ-half-a-token', { status: 200 }));
    const error = await broken.provider.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasResponseError);
    expect((error as Error).message).toContain('body: not JSON');
    expect((error as Error).message).not.toContain('eyJ');
    expect((error as Error).cause).toBeUndefined();
  });

  it('retries a busy token endpoint and then gives up with MpasUnavailableError', async () => {
    const { provider, calls, delays } = setup(() => json(503, { error: 'busy' }, { 'retry-after': '2' }));
    const error = await provider.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasUnavailableError);
    expect((error as MpasUnavailableError).lastStatus).toBe(503);
    expect((error as MpasUnavailableError).retryAfterMs).toBe(2_000);
    expect(calls).toHaveLength(3);
    expect(delays).toEqual([2_000, 2_000]);
  });
});
