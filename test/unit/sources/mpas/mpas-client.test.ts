import { describe, expect, it } from 'vitest';
import { MpasAuthError, MpasForbiddenError, MpasNotFoundError, MpasRequestRejectedError } from '../../../../lib/sources/mpas/errors.js';
import { MpasClient, queryParameters } from '../../../../lib/sources/mpas/mpas-client.js';
import type { MpasClientOptions } from '../../../../lib/sources/mpas/mpas-client.js';
import type { RequestInfo } from '../../../../lib/sources/mpas/http-transport.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { json, recordingSleep, scriptedFetch } from '../../../support/scripted-fetch.js';
import type { SeenRequest } from '../../../support/scripted-fetch.js';

const EVENT = { id: 'e1', time: 1_739_388_470_156, type: 'LOGIN', realmId: 'r1' };

/** A tiny MPAS: issues `tok1`, `tok2`, ...; `events` answers the events endpoints. */
function setup(events: (request: SeenRequest, token: string) => Response, options: Partial<MpasClientOptions> = {}) {
  let issued = 0;
  const infos: RequestInfo[] = [];
  const { fetch, calls } = scriptedFetch((request) => {
    if (request.url.pathname.endsWith('/token')) {
      issued += 1;
      return json(200, { access_token: `tok${issued}`, expires_in: 300 });
    }
    return events(request, (request.headers.get('authorization') ?? '').replace('Bearer ', ''));
  });
  const client = new MpasClient({
    baseUrl: 'http://mpas.test/',
    authRealm: 'master',
    credentials: { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'hunter2' },
    clock: new ManualClock(1_739_388_000_000),
    sleep: recordingSleep().sleep,
    random: () => 0.5,
    fetch,
    onRequest: (info) => infos.push(info),
    ...options,
  });
  const eventCalls = (): SeenRequest[] => calls.filter((call) => !call.url.pathname.endsWith('/token'));
  return { client, calls, eventCalls, infos };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error;
}

describe('MpasClient', () => {
  it('asks the stream endpoint with the query as given: numbers as epoch ms, strings as is', async () => {
    const { client, eventCalls } = setup((request) => json(200, request.url.pathname.endsWith('/admin-events') ? [] : [EVENT]));
    await expect(client.getEvents({ realm: 'acme', stream: 'user', dateFrom: 1_739_388_000_000, dateTo: 1_739_388_999_999, first: 0, max: 50, direction: 'asc' })).resolves.toEqual([EVENT]);
    await client.getEvents({ realm: 'my realm', stream: 'admin', dateFrom: '2025-02-12', first: 100, max: 100 });
    const [user, admin] = eventCalls();
    expect(user?.url.pathname).toBe('/admin/realms/acme/events');
    expect(Object.fromEntries(user?.url.searchParams ?? [])).toEqual({ dateFrom: '1739388000000', dateTo: '1739388999999', first: '0', max: '50', direction: 'asc' });
    expect(user?.headers.get('authorization')).toBe('Bearer tok1');
    expect(admin?.url.pathname).toBe('/admin/realms/my%20realm/admin-events');
    expect(Object.fromEntries(admin?.url.searchParams ?? [])).toEqual({ dateFrom: '2025-02-12', first: '100', max: '100' });
  });

  it('reports every HTTP attempt with its route and status', async () => {
    const { client, infos } = setup(() => json(200, []));
    await client.getEvents({ realm: 'acme', stream: 'admin', first: 0, max: 1 });
    expect(infos.map(({ route, status }) => ({ route, status }))).toEqual([
      { route: 'token', status: 200 },
      { route: 'admin-events', status: 200 },
    ]);
  });

  it('renews the token once on a 401 and repeats the request with the new one', async () => {
    const { client, eventCalls, calls } = setup((_request, token) => (token === 'tok1' ? json(401, { error: 'HTTP 401 Unauthorized' }) : json(200, [EVENT])));
    await expect(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 })).resolves.toEqual([EVENT]);
    expect(eventCalls().map((call) => call.headers.get('authorization'))).toEqual(['Bearer tok1', 'Bearer tok2']);
    expect(calls).toHaveLength(4);
  });

  it('gives up with MpasAuthError when a fresh token is refused too, without the token or password', async () => {
    const { client, eventCalls } = setup(() => json(401, { error: 'HTTP 401 Unauthorized' }));
    const error = await failure(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 }));
    expect(error).toBeInstanceOf(MpasAuthError);
    expect(error.message).toBe(
      'MPAS refused the password credentials for realm master (status 401: the events endpoint of realm acme refused a freshly issued token): check MPAS_USERNAME/MPAS_PASSWORD',
    );
    expect(error.message).not.toMatch(/tok\d|hunter2/);
    expect(eventCalls()).toHaveLength(2);
  });

  it('says plainly that the user lacks view-events on a 403', async () => {
    const { client } = setup(() => json(403, { error: 'HTTP 403 Forbidden' }));
    const error = await failure(client.getEvents({ realm: 'acme', stream: 'admin', first: 0, max: 10 }));
    expect(error).toBeInstanceOf(MpasForbiddenError);
    expect(error.message).toBe('the MPAS user lacks the view-events role in realm acme: assign it in Role Mapping');
  });

  it('reports an unknown realm as MpasNotFoundError naming MPAS_REALMS', async () => {
    const { client } = setup(() => json(404, { error: 'Realm not found.' }));
    const error = await failure(client.getEvents({ realm: 'nope', stream: 'user', first: 0, max: 10 }));
    expect(error).toBeInstanceOf(MpasNotFoundError);
    expect(error.message).toContain('MPAS has no realm nope');
    expect(error.message).toContain('MPAS_REALMS');
  });

  it("refuses other statuses with the server's own words", async () => {
    const { client } = setup(() => json(400, { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" }));
    const error = await failure(client.getEvents({ realm: 'acme', stream: 'user', dateFrom: 5, first: 0, max: 10 }));
    expect(error).toBeInstanceOf(MpasRequestRejectedError);
    expect(error.message).toBe("MPAS events endpoint of realm acme refused the request with status 400: Invalid value for 'Date(From)', expected format is yyyy-MM-dd");
  });

  it('probes the mode through the same token handling and remembers it', async () => {
    const { client, eventCalls } = setup((_request, token) => (token === 'tok1' ? json(401, {}) : json(200, [{ time: 1, type: 'LOGIN' }])));
    expect(await client.apiMode('acme')).toBe('legacy');
    expect(await client.apiMode('acme')).toBe('legacy');
    expect(eventCalls()).toHaveLength(2);
    expect(eventCalls()[1]?.url.search).toBe('?dateFrom=0&dateTo=4102444800000&first=0&max=1&direction=asc');
  });

  it('turns a probe 403 into MpasForbiddenError', async () => {
    const { client } = setup(() => json(403, {}));
    await expect(client.apiMode('acme')).rejects.toThrow(MpasForbiddenError);
  });

  it('refuses bad options and queries before sending anything', () => {
    const base = { authRealm: 'master', credentials: { grant: 'client_credentials', clientId: 'c', clientSecret: 's' } } as const;
    expect(() => new MpasClient({ ...base, baseUrl: 'mpas.example.com' })).toThrow(/baseUrl is not a URL/);
    expect(() => new MpasClient({ ...base, baseUrl: 'ftp://mpas.example.com' })).toThrow(/baseUrl must be http\(s\)/);
    expect(() => new MpasClient({ ...base, baseUrl: 'https://u:p@mpas.example.com' })).toThrow(/must not carry credentials/);
    expect(() => new MpasClient({ ...base, baseUrl: 'https://mpas.example.com', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs must be > 0/);
    expect(() => queryParameters({ realm: 'a', stream: 'user', first: -1, max: 10 })).toThrow(/first must be an integer >= 0/);
    expect(() => queryParameters({ realm: 'a', stream: 'user', first: 0, max: 0 })).toThrow(/max must be an integer >= 1/);
    expect(() => queryParameters({ realm: 'a', stream: 'user', dateFrom: 1.5, first: 0, max: 1 })).toThrow(/dateFrom must be a non-negative integer/);
  });

  it('keeps a path prefix of the base URL (a reverse proxy under /auth)', async () => {
    const { client, calls } = setup(() => json(200, []), { baseUrl: 'http://mpas.test/auth/' });
    await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 1 });
    expect(calls.map((call) => call.url.pathname)).toEqual(['/auth/realms/master/protocol/openid-connect/token', '/auth/admin/realms/acme/events']);
  });
});
