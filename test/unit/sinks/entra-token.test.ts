import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AZURE_MONITOR_SCOPE, EntraTokenSource } from '../../../lib/sinks/sentinel/entra-token.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const AUTHORITY = 'https://login.example.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SECRET = 'Qx8Q~unit+secret/value=';
const agents: MockAgent[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const clock = new ManualClock(1_000_000);
  const source = new EntraTokenSource({ authorityHost: AUTHORITY, tenantId: TENANT, clientId: 'app', clientSecret: SECRET, agent, timeoutMs: 1_000, clock });
  const forms: URLSearchParams[] = [];
  let issued = 0;
  const answer = (status = 200, body?: object, headers: Record<string, string> = {}) =>
    agent
      .get(AUTHORITY)
      .intercept({ path: `/${TENANT}/oauth2/v2.0/token`, method: 'POST' })
      .reply(({ body: sent }) => {
        forms.push(new URLSearchParams(String(sent)));
        issued += 1;
        return { statusCode: status, data: JSON.stringify(body ?? { token_type: 'Bearer', expires_in: 3599, access_token: `token-${issued}` }), responseOptions: { headers: { 'content-type': 'application/json', ...headers } } };
      });
  return { agent, clock, source, forms, answer };
}

describe('EntraTokenSource', () => {
  it('asks with the client credentials grant and Azure Monitor scope', async () => {
    const { source, forms, answer } = setup();
    answer();
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-1' });
    expect(Object.fromEntries(forms[0]!)).toEqual({ client_id: 'app', client_secret: SECRET, grant_type: 'client_credentials', scope: AZURE_MONITOR_SCOPE });
  });

  it('caches the token until five minutes before expires_in, sharing one request among concurrent callers', async () => {
    const { source, clock, forms, answer } = setup();
    answer();
    answer();
    const first = await Promise.all([source.get(), source.get(), source.get()]);
    expect(first.map((result) => result.kind === 'token' && result.token)).toEqual(['token-1', 'token-1', 'token-1']);
    clock.advance(3_599_000 - 300_000 - 1);
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-1' });
    clock.advance(1);
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-2' });
    expect(forms).toHaveLength(2);
  });

  it('renews at half the life of a short-lived token', async () => {
    const { source, clock, answer } = setup();
    answer(200, { access_token: 'short', expires_in: 60 });
    answer();
    await source.get();
    clock.advance(29_999);
    expect(await source.get()).toEqual({ kind: 'token', token: 'short' });
    clock.advance(1);
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-2' });
  });

  it('forgets a token the API refused, but not a newer one', async () => {
    const { source, answer } = setup();
    answer();
    answer();
    await source.get();
    source.invalidate('token-1');
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-2' });
    source.invalidate('token-1');
    expect(await source.get()).toEqual({ kind: 'token', token: 'token-2' });
  });

  it('calls a refused secret an auth failure, without the secret, and retries throttling after Retry-After', async () => {
    const { source, answer } = setup();
    answer(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided: ${SECRET} / ${encodeURIComponent(SECRET)}` });
    answer(429, { error: 'temporarily_unavailable' }, { 'retry-after': '7' });
    answer(200, { token_type: 'Bearer' });
    expect(await source.get()).toEqual({ kind: 'failure', outcome: { kind: 'retry', status: 401, auth: true, reason: 'Entra ID token request: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided: *** / ***' } });
    expect(await source.get()).toEqual({ kind: 'failure', outcome: { kind: 'retry', status: 429, auth: false, retryAfterMs: 7_000, reason: 'Entra ID token request: HTTP 429 temporarily_unavailable' } });
    expect(await source.get()).toMatchObject({ kind: 'failure', outcome: { status: 200, auth: true } });
  });

  it('tells a caller that stopped waiting so, and leaves the shared request to the others', async () => {
    const { source, forms, answer } = setup();
    answer();
    const stopped = new AbortController();
    stopped.abort(new Error('delivery stopped'));
    const [impatient, patient] = await Promise.all([source.get(stopped.signal), source.get()]);
    expect(impatient).toEqual({ kind: 'failure', outcome: { kind: 'retry', auth: false, reason: 'Entra ID token request: connection error: delivery stopped' } });
    expect(patient).toEqual({ kind: 'token', token: 'token-1' });
    expect(forms).toHaveLength(1);
  });

  it('reports an unreachable authority as a connection error to retry', async () => {
    const { source } = setup();
    const result = await source.get();
    expect(result).toMatchObject({ kind: 'failure', outcome: { kind: 'retry', auth: false, reason: expect.stringMatching(/^Entra ID token request: connection error/) } });
  });
});
