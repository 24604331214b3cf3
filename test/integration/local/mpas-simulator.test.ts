import { afterEach, describe, expect, it } from 'vitest';
import type { AdminEvent, MpasEvent, UserEvent } from '../../../lib/core/events/event-schemas.js';
import { userEventSchema } from '../../../lib/core/events/event-schemas.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator, MpasSimulatorOptions } from '../../../devtools/mpas-simulator/index.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { KeycloakVersion } from '../../../devtools/mpas-simulator/index.js';

const T0 = Date.UTC(2025, 1, 12, 19, 27, 48, 633);
const DAY = 86_400_000;
const DAY_START = Date.UTC(2025, 1, 12);

let simulator: MpasSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(options: Partial<MpasSimulatorOptions> = {}): Promise<MpasSimulator> {
  simulator = await startMpasSimulator({ realms: ['acme'], clock: new ManualClock(T0 + DAY), ...options });
  return simulator;
}

async function tokenRequest(sim: MpasSimulator, form: Record<string, string>, realm = 'master'): Promise<Response> {
  return fetch(`${sim.url}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

async function login(sim: MpasSimulator, form: Record<string, string> = {}, realm = 'master'): Promise<string> {
  const response = await tokenRequest(sim, { grant_type: 'password', client_id: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync', ...form }, realm);
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function events(sim: MpasSimulator, token: string | undefined, query = '', path = 'acme/events'): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${sim.url}/admin/realms/${path}${query ? `?${query}` : ''}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Non-JSON bodies (proxy pages, malformed pages) are returned as text.
  }
  return { status: response.status, body, headers: response.headers };
}

/** `count` user events, one per `spacing` ms from `from`, ids e-0, e-1, ... */
function numbered(count: number, from = T0, spacing = 1): UserEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: `e-${i}`, time: from + i * spacing, type: 'LOGIN', realmId: 'acme-id' }));
}

function idsOf(body: unknown): unknown[] {
  return (body as MpasEvent[]).map((event) => event.id);
}

describe('MpasSimulator token endpoint', () => {
  it('grants the default user a bearer token with Keycloak’s fields', async () => {
    const sim = await start({ tokenLifetimeMs: 300_000 });
    const response = await tokenRequest(sim, { grant_type: 'password', client_id: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 300, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email', refresh_expires_in: expect.any(Number) });
    expect(body['access_token']).toMatch(/^\S{20,}$/);
  });

  it('answers Keycloak’s errors for bad credentials, a bad client secret, an unknown client and an unknown realm', async () => {
    const sim = await start({ clients: [{ clientId: 'log-sync', secret: 's3cret', roles: ['view-events'] }] });
    const bad = await tokenRequest(sim, { grant_type: 'password', client_id: 'admin-cli', username: 'mpas-log-sync', password: 'nope' });
    expect([bad.status, await bad.json()]).toEqual([401, { error: 'invalid_grant', error_description: 'Invalid user credentials' }]);
    const secret = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'log-sync', client_secret: 'wrong' });
    expect([secret.status, await secret.json()]).toEqual([401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' }]);
    const unknownClient = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'x' });
    expect(unknownClient.status).toBe(401);
    expect(((await unknownClient.json()) as { error: string }).error).toBe('invalid_client');
    const realm = await tokenRequest(sim, { grant_type: 'password', client_id: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' }, 'nowhere');
    expect([realm.status, await realm.json()]).toEqual([404, { error: 'Realm does not exist' }]);
    const grant = await tokenRequest(sim, { grant_type: 'authorization_code', client_id: 'admin-cli' });
    expect([grant.status, ((await grant.json()) as { error: string }).error]).toEqual([400, 'unsupported_grant_type']);
  });

  it('grants client credentials to a confidential client, whose roles open the event endpoints', async () => {
    const sim = await start({ clients: [{ clientId: 'log-sync', secret: 's3cret', roles: ['view-events'] }] });
    const response = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'log-sync', client_secret: 's3cret' });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    expect((await events(sim, access_token)).status).toBe(200);
    const publicClient = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'admin-cli' });
    expect(publicClient.status).toBe(401);
  });

  it('refuses a body that is not form-encoded and a GET on the token endpoint', async () => {
    const sim = await start();
    const json = await fetch(`${sim.url}/realms/master/protocol/openid-connect/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    expect((await fetch(`${sim.url}/realms/master/protocol/openid-connect/token`)).status).toBe(405);
  });
});

describe('MpasSimulator access control', () => {
  it('expires tokens by the injected clock', async () => {
    const clock = new ManualClock(T0);
    const sim = await start({ clock, tokenLifetimeMs: 60_000 });
    const token = await login(sim);
    clock.advance(59_999);
    expect((await events(sim, token)).status).toBe(200);
    clock.advance(1);
    expect(await events(sim, token)).toMatchObject({ status: 401, body: { error: 'HTTP 401 Unauthorized' } });
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const sim = await start();
    expect(await events(sim, undefined)).toMatchObject({ status: 401, body: { error: 'HTTP 401 Unauthorized' } });
    expect((await events(sim, 'forged')).status).toBe(401);
  });

  it('answers 403 to a user without view-events and to another realm’s token', async () => {
    const sim = await start({
      realms: ['acme', 'globex'],
      users: [
        { username: 'nobody', password: 'pw', roles: [] },
        { realm: 'globex', username: 'globex-auditor', password: 'pw', roles: ['view-events'] },
      ],
    });
    const noRole = await login(sim, { username: 'nobody', password: 'pw' });
    expect(await events(sim, noRole)).toMatchObject({ status: 403, body: { error: 'HTTP 403 Forbidden' } });
    const globex = await login(sim, { username: 'globex-auditor', password: 'pw' }, 'globex');
    expect((await events(sim, globex, '', 'globex/events')).status).toBe(200);
    expect((await events(sim, globex, '', 'acme/admin-events')).status).toBe(403);
  });

  it('lets a master token read any realm and answers 404 for an unknown one', async () => {
    const sim = await start({ realms: ['acme', 'globex'] });
    const token = await login(sim);
    expect((await events(sim, token, '', 'globex/admin-events')).status).toBe(200);
    expect((await events(sim, token, '', 'master/events')).status).toBe(200);
    expect(await events(sim, token, '', 'initech/events')).toMatchObject({ status: 404, body: { error: 'Realm not found.' } });
    expect((await events(sim, token, '', 'acme/other')).status).toBe(404);
  });
});

describe('MpasSimulator queries in modern mode', () => {
  it('returns newest first by default, with ids, at most 100', async () => {
    const sim = await start();
    sim.add('acme', 'user', numbered(150));
    const { body } = await events(sim, await login(sim));
    expect(idsOf(body)).toHaveLength(100);
    expect(idsOf(body)[0]).toBe('e-149');
    expect(idsOf(body)[99]).toBe('e-50');
  });

  it('honours inclusive epoch bounds, direction and first/max offsets', async () => {
    const sim = await start();
    sim.add('acme', 'user', numbered(20));
    const token = await login(sim);
    const window = `dateFrom=${T0 + 5}&dateTo=${T0 + 9}`;
    expect(idsOf((await events(sim, token, `${window}&direction=asc`)).body)).toEqual(['e-5', 'e-6', 'e-7', 'e-8', 'e-9']);
    expect(idsOf((await events(sim, token, `${window}&direction=desc`)).body)).toEqual(['e-9', 'e-8', 'e-7', 'e-6', 'e-5']);
    expect(idsOf((await events(sim, token, `${window}&direction=asc&first=2&max=2`)).body)).toEqual(['e-7', 'e-8']);
    expect(idsOf((await events(sim, token, `${window}&first=4&max=10`)).body)).toEqual(['e-5']);
    expect((await events(sim, token, `${window}&first=5`)).body).toEqual([]);
  });

  // Formerly: yyyy-MM-dd read in the server's zone here too. Keycloak >= 26.2 reads it with
  // DateUtil.toStartOfDay / toEndOfDay as a UTC day (LocalDate ... ZoneOffset.UTC).
  it('reads yyyy-MM-dd as a UTC day whatever the server’s zone', async () => {
    const sim = await start({ serverUtcOffsetMinutes: 120 });
    const edges = [DAY_START - 1, DAY_START, DAY_START + DAY - 1, DAY_START + DAY];
    sim.add('acme', 'user', edges.map((time, i) => ({ id: `d-${i}`, time, type: 'LOGIN' })));
    const { body } = await events(sim, await login(sim), 'dateFrom=2025-02-12&dateTo=2025-02-12&direction=asc');
    expect(idsOf(body)).toEqual(['d-1', 'd-2']);
  });

  it('filters by type, client and user on the user endpoint and by operation and resource on the admin endpoint', async () => {
    const sim = await start();
    const batch = generateEvents({ seed: 77, realm: 'acme', count: 600, startTime: T0, adminShare: 0.3 });
    sim.add('acme', 'user', batch.user);
    sim.add('acme', 'admin', batch.admin);
    const token = await login(sim);
    const logins = (await events(sim, token, 'type=LOGIN&type=LOGOUT&max=1000')).body as UserEvent[];
    expect(logins.length).toBe(batch.user.filter((e) => e.type === 'LOGIN' || e.type === 'LOGOUT').length);
    const someone = batch.user[0] as UserEvent;
    const mine = (await events(sim, token, `user=${someone.userId ?? ''}&client=${someone.clientId ?? ''}&max=1000`)).body as UserEvent[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.userId === someone.userId && e.clientId === someone.clientId)).toBe(true);
    const deletes = (await events(sim, token, 'operationTypes=DELETE&resourceTypes=USER&resourceTypes=USER_SESSION&max=1000', 'acme/admin-events')).body as AdminEvent[];
    expect(deletes.length).toBe(batch.admin.filter((e) => e.operationType === 'DELETE' && ['USER', 'USER_SESSION'].includes(e.resourceType ?? '')).length);
    expect(deletes.length).toBeGreaterThan(0);
  });

  it('returns stored events unchanged, as JSON', async () => {
    const sim = await start();
    const batch = generateEvents({ seed: 3, realm: 'acme', count: 40, startTime: T0, adminShare: 0.5 });
    sim.add('acme', 'admin', batch.admin);
    const { body, headers } = await events(sim, await login(sim), 'direction=asc', 'acme/admin-events');
    expect(headers.get('content-type')).toBe('application/json');
    expect(body).toEqual(batch.admin);
  });

  // Formerly a negative first answered 500. model/jpa PaginationUtils.paginateQuery ignores a
  // negative first and sets no limit for a negative max; nothing caps max.
  it('answers 404 for first/max JAX-RS cannot convert, ignores a negative first, and takes a negative max as no limit', async () => {
    const sim = await start();
    sim.add('acme', 'user', numbered(250));
    const token = await login(sim);
    expect((await events(sim, token, 'max=lots')).status).toBe(404);
    expect(idsOf((await events(sim, token, 'first=-3&max=2')).body)).toEqual(['e-249', 'e-248']);
    expect(idsOf((await events(sim, token, 'max=-1')).body)).toHaveLength(250);
    expect(idsOf((await events(sim, token, 'first=240&max=-5')).body)).toHaveLength(10);
    expect(idsOf((await events(sim, token, 'max=100000')).body)).toHaveLength(250);
    expect(idsOf((await events(sim, token)).body)).toHaveLength(100);
  });

  it('answers 400 with Keycloak 26.2’s texts for a bad date or direction', async () => {
    const sim = await start();
    const token = await login(sim);
    expect(await events(sim, token, 'dateFrom=2025-02-30')).toMatchObject({ status: 400, body: { error: "Invalid value for 'dateFrom', expected format is yyyy-MM-dd or an Epoch timestamp" } });
    expect(await events(sim, token, 'dateTo=-5', 'acme/admin-events')).toMatchObject({ status: 400, body: { error: "Invalid value for 'dateTo', expected format is yyyy-MM-dd or an Epoch timestamp" } });
    expect(await events(sim, token, 'direction=ASC')).toMatchObject({ status: 400, body: { error: 'Invalid value for sortDirection, expected value is asc or desc' } });
    expect((await events(sim, token, 'direction=')).status).toBe(400);
  });
});

describe('MpasSimulator queries in legacy mode', () => {
  it('takes only yyyy-MM-dd dates and answers 400 with Keycloak’s message otherwise', async () => {
    const sim = await start({ mode: 'legacy' });
    const token = await login(sim);
    expect(await events(sim, token, `dateFrom=${T0}`)).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" } });
    expect(await events(sim, token, `dateTo=${T0}`)).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(To)', expected format is yyyy-MM-dd" } });
  });

  it('answers newest first whatever direction says, without ids, a 26.1 user dateTo covering its whole day', async () => {
    const sim = await start();
    sim.add('acme', 'user', [...numbered(3, DAY_START + 1000), { id: 'late', time: DAY_START + DAY - 1, type: 'LOGOUT' }, { id: 'next', time: DAY_START + DAY, type: 'LOGOUT' }]);
    sim.setMode('legacy');
    const { body } = await events(sim, await login(sim), 'dateFrom=2025-02-12&dateTo=2025-02-12&direction=asc');
    const page = body as UserEvent[];
    expect(page.map((e) => e.time)).toEqual([DAY_START + DAY - 1, DAY_START + 1002, DAY_START + 1001, DAY_START + 1000]);
    expect(page.every((e) => !('id' in e))).toBe(true);
    expect(page[0]).toEqual({ time: DAY_START + DAY - 1, type: 'LOGOUT' });
  });
});

describe('MpasSimulator ties and late commits', () => {
  // Formerly the tie order was the same on every request. Keycloak orders by time alone
  // (JpaEventQuery / JpaAdminEventQuery), so a database may return a millisecond's rows in a
  // new order per query, and offset pages over them may repeat one row and skip another.
  it('orders same-millisecond events anew on each request, so offset pages can repeat and skip rows', async () => {
    const seed = 4242;
    const sim = await start({ seed });
    const tied = numbered(50, T0, 0);
    sim.add('acme', 'user', tied);
    const token = await login(sim);
    const orders = new Set<string>();
    const pageSets = new Set<string>();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      orders.add(idsOf((await events(sim, token, 'direction=asc')).body).join());
      const pages: unknown[] = [];
      for (const offset of [0, 10, 20, 30, 40]) pages.push(...idsOf((await events(sim, token, `direction=asc&first=${offset}&max=10`)).body));
      expect(pages, `seed ${seed}`).toHaveLength(50);
      pageSets.add([...new Set(pages)].sort().join());
    }
    expect(orders.size, `seed ${seed}`).toBeGreaterThan(1);
    // At least once, five pages of ten did not cover the 50 distinct events.
    expect([...pageSets].some((set) => set.split(',').length < 50), `seed ${seed}`).toBe(true);
  });

  it('keeps one tie order for every request with tieOrder stable', async () => {
    const seed = 4242;
    const sim = await start({ seed, tieOrder: 'stable' });
    const tied = numbered(40, T0, 0);
    sim.add('acme', 'user', tied);
    const token = await login(sim);
    const first = idsOf((await events(sim, token, 'direction=asc')).body);
    expect(idsOf((await events(sim, token, 'direction=asc')).body), `seed ${seed}`).toEqual(first);
    expect(first, `seed ${seed}`).not.toEqual(tied.map((e) => e.id));
    const pages: unknown[] = [];
    for (const offset of [0, 10, 20, 30]) pages.push(...idsOf((await events(sim, token, `direction=asc&first=${offset}&max=10`)).body));
    expect(pages, `seed ${seed}`).toEqual(first);
  });

  it('hides a late-committed event until the clock reaches visibleAt, then shows it at its own time', async () => {
    const clock = new ManualClock(T0 + 10);
    const sim = await start({ clock });
    sim.add('acme', 'user', numbered(3, T0 + 5));
    sim.add('acme', 'user', [{ id: 'late', time: T0, type: 'LOGIN' }], { visibleAt: T0 + 100 });
    const token = await login(sim);
    expect(idsOf((await events(sim, token, 'direction=asc')).body)).toEqual(['e-0', 'e-1', 'e-2']);
    expect(sim.count('acme', 'user')).toBe(3);
    clock.set(T0 + 100);
    expect(idsOf((await events(sim, token, 'direction=asc')).body)).toEqual(['late', 'e-0', 'e-1', 'e-2']);
    expect(sim.count('acme', 'user')).toBe(4);
  });
});

describe('MpasSimulator faults', () => {
  it('fails the next requests of one endpoint with the asked status and Retry-After', async () => {
    const sim = await start();
    const token = await login(sim);
    sim.faults.failNext({ count: 2, status: 429, retryAfterSeconds: 3, endpoint: 'admin-events' });
    expect((await events(sim, token)).status).toBe(200);
    const limited = await events(sim, token, '', 'acme/admin-events');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await events(sim, token, '', 'acme/admin-events')).status).toBe(429);
    expect((await events(sim, token, '', 'acme/admin-events')).status).toBe(200);
  });

  it('fails the token endpoint and any endpoint with 5xx', async () => {
    const sim = await start();
    sim.faults.failNext({ count: 1, status: 503, endpoint: 'token' });
    const down = await tokenRequest(sim, { grant_type: 'password', client_id: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('text/html');
    const token = await login(sim);
    for (const status of [500, 502] as const) {
      sim.faults.failNext({ count: 1, status });
      expect((await events(sim, token)).status).toBe(status);
    }
    expect((await events(sim, token)).status).toBe(200);
  });

  it('answers 401 after revokeAllTokens until the client logs in again', async () => {
    const sim = await start();
    const token = await login(sim);
    sim.faults.revokeAllTokens();
    expect((await events(sim, token)).status).toBe(401);
    expect((await events(sim, await login(sim))).status).toBe(200);
  });

  it('serves the asked number of malformed pages, then valid ones again', async () => {
    const sim = await start();
    sim.add('acme', 'user', numbered(5));
    const token = await login(sim);
    sim.faults.setMalformedNext(1);
    const broken = (await events(sim, token)).body as Array<Record<string, unknown>>;
    expect(typeof broken[0]?.['time']).toBe('string');
    expect(broken.every((item) => userEventSchema.safeParse(item).success)).toBe(false);
    const fine = (await events(sim, token)).body as unknown[];
    expect(fine.every((item) => userEventSchema.safeParse(item).success)).toBe(true);
  });

  it('delays responses by the set latency', async () => {
    const sim = await start();
    const token = await login(sim);
    sim.faults.setLatency(3000);
    // A client whose timeout is far shorter than the latency gives up; no duration is measured.
    await expect(fetch(`${sim.url}/admin/realms/acme/events`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    sim.faults.setLatency(0);
    expect((await events(sim, token)).status).toBe(200);
  });
});

describe('MpasSimulator stats, live traffic and scale', () => {
  it('counts requests by route and status and the events served', async () => {
    const sim = await start();
    sim.add('acme', 'user', numbered(7));
    const token = await login(sim);
    await events(sim, token);
    await events(sim, undefined);
    await events(sim, token, '', 'acme/admin-events');
    await fetch(`${sim.url}/nowhere`);
    expect(sim.stats()).toEqual({
      requests: { token: { 200: 1 }, events: { 200: 1, 401: 1 }, 'admin-events': { 200: 1 }, other: { 404: 1 } },
      eventsServed: { user: 7, admin: 0 },
    });
  });

  it('adds generated events while live traffic runs and stops when told', async () => {
    const sim = await startMpasSimulator({ realms: ['acme'] });
    simulator = sim;
    const stop = sim.startLiveTraffic({ eventsPerSecond: 400, commitDelayMs: [0, 0], seed: 5 });
    await expect.poll(() => sim.count('acme', 'user'), { timeout: 10_000, interval: 20 }).toBeGreaterThan(20);
    stop();
    const { body } = await events(sim, await login(sim), 'max=5');
    expect((body as UserEvent[]).every((event) => userEventSchema.safeParse(event).success)).toBe(true);
  });

  it('pages 200,000 events 1,000 at a time, each exactly once', async () => {
    // Stable ties: with shuffled ones offset pages through a tie group may repeat a row, as on a
    // real database (tested above).
    const sim = await start({ tieOrder: 'stable' });
    const total = 200_000;
    // Four events per millisecond.
    sim.add('acme', 'user', Array.from({ length: total }, (_, i) => ({ id: String(i), time: T0 + Math.floor(i / 4), type: 'LOGIN' })));
    const token = await login(sim);
    const seen = new Set<unknown>();
    let previous = -Infinity;
    let outOfOrder = 0;
    for (let first = 0; first < total; first += 1000) {
      const page = (await events(sim, token, `dateFrom=${T0}&dateTo=${T0 + total}&direction=asc&first=${first}&max=1000`)).body as UserEvent[];
      expect(page).toHaveLength(1000);
      for (const event of page) {
        if (event.time < previous) outOfOrder += 1;
        previous = event.time;
        seen.add(event.id);
      }
    }
    expect(outOfOrder).toBe(0);
    expect(seen.size).toBe(total);
    expect(sim.stats().eventsServed.user).toBe(total);
  });
});

describe('MpasSimulator Keycloak versions', () => {
  // The server is at UTC+02:00; events at the edges of its 2025-02-12 and of the UTC one.
  const ZONE = 120;
  const LOCAL_START = DAY_START - 7_200_000;
  const edgeEvents = (): UserEvent[] => [
    { id: 'before', time: LOCAL_START - 1, type: 'LOGIN' },
    { id: 'local-start', time: LOCAL_START, type: 'LOGIN' },
    { id: 'utc-start', time: DAY_START, type: 'LOGIN' },
    { id: 'local-end', time: LOCAL_START + DAY - 1, type: 'LOGIN' },
    { id: 'utc-end', time: DAY_START + DAY - 1, type: 'LOGIN' },
    { id: 'after', time: DAY_START + DAY, type: 'LOGIN' },
  ];
  const byTime = (body: unknown): unknown[] => (body as MpasEvent[]).map((e) => e.time);
  const timesOf = (names: string[]): number[] => edgeEvents().filter((e) => names.includes(e.id as string)).map((e) => e.time).reverse();

  async function window(version: KeycloakVersion, stream: 'user' | 'admin', query: string): Promise<{ status: number; body: unknown }> {
    const sim = await start({ keycloakVersion: version, serverUtcOffsetMinutes: ZONE });
    const batch = edgeEvents();
    sim.add('acme', stream, stream === 'user' ? batch : batch.map((e) => ({ id: e.id, time: e.time, operationType: 'UPDATE' }) as AdminEvent));
    const result = await events(sim, await login(sim), query, stream === 'user' ? 'acme/events' : 'acme/admin-events');
    await sim.close();
    simulator = undefined;
    return result;
  }

  it('before 26.0 ends a yyyy-MM-dd dateTo at 00:00 of its day in the server’s zone, for both streams (keycloak#30414)', async () => {
    for (const version of ['24', '25']) {
      for (const stream of ['user', 'admin'] as const) {
        const { body } = await window(version, stream, 'dateFrom=2025-02-12&dateTo=2025-02-12');
        expect(byTime(body), `${version} ${stream}`).toEqual(timesOf(['local-start']));
      }
    }
  });

  it('in 26.0 and 26.1 ends a user dateTo at 23:59:59.999 but an admin one still at 00:00 (keycloak#38442)', async () => {
    for (const version of ['26.0', '26.1']) {
      expect(byTime((await window(version, 'user', 'dateFrom=2025-02-12&dateTo=2025-02-12')).body), version).toEqual(timesOf(['local-start', 'utc-start', 'local-end']));
      expect(byTime((await window(version, 'admin', 'dateFrom=2025-02-12&dateTo=2025-02-12')).body), version).toEqual(timesOf(['local-start']));
    }
  });

  it('in 26.2.0 answers a yyyy-MM-dd dateTo with nothing but honours an epoch one (keycloak#38911)', async () => {
    for (const stream of ['user', 'admin'] as const) {
      expect((await window('26.2.0', stream, 'dateFrom=2025-02-12&dateTo=2025-02-12')).body, stream).toEqual([]);
      expect(byTime((await window('26.2.0', stream, `dateFrom=2025-02-12&dateTo=${DAY_START}`)).body), stream).toEqual(timesOf(['utc-start']));
    }
  });

  it('from 26.2.1 reads yyyy-MM-dd as a whole UTC day on both streams', async () => {
    for (const version of ['26.2', '26.2.1', '26.4']) {
      for (const stream of ['user', 'admin'] as const) {
        const { body } = await window(version, stream, 'dateFrom=2025-02-12&dateTo=2025-02-12');
        expect(byTime(body), `${version} ${stream}`).toEqual(timesOf(['utc-start', 'local-end', 'utc-end']));
      }
    }
  });

  it('parses legacy dates leniently, as SimpleDateFormat does, and answers 400 with its texts otherwise', async () => {
    // 2025-01-44 rolls over to 2025-02-13; text after the date is ignored; 26.1 user dateTo
    // runs to 23:59:59.999 of the server's 2025-02-13.
    expect(byTime((await window('26.1', 'user', 'dateFrom=2025-01-44&dateTo=2025-02-13T00:00')).body)).toEqual([DAY_START + DAY, DAY_START + DAY - 1]);
    expect(byTime((await window('24', 'user', 'dateFrom=2025-13-01')).body)).toEqual([]);
    expect(await window('25', 'user', 'dateFrom=13.02.2025')).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" } });
    expect(await window('26.1', 'admin', 'dateTo=')).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(To)', expected format is yyyy-MM-dd" } });
    // Legacy servers ignore direction entirely, even a value 26.2 refuses.
    expect((await window('26.1', 'user', 'direction=sideways')).status).toBe(200);
  });

  it('upgrades in place with setKeycloakVersion: stored events keep their ids, which only 26.2+ serves', async () => {
    const sim = await start({ keycloakVersion: '25' });
    sim.add('acme', 'user', numbered(3));
    const token = await login(sim);
    expect(idsOf((await events(sim, token)).body)).toEqual([undefined, undefined, undefined]);
    expect((await events(sim, token, `dateFrom=${T0}`)).status).toBe(400);
    sim.setKeycloakVersion('26.2');
    expect(sim.keycloakVersion()).toBe('26.2');
    expect(idsOf((await events(sim, token, `dateFrom=${T0}&direction=asc`)).body)).toEqual(['e-0', 'e-1', 'e-2']);
    sim.setMode('legacy');
    expect(sim.keycloakVersion()).toBe('26.1');
    expect(() => sim.setKeycloakVersion('23')).toThrow(/24 or later/);
    expect(() => sim.setKeycloakVersion('26')).toThrow(/minor/);
  });
});

describe('MpasSimulator server clock, late commits and expiry', () => {
  it('sends a Date header from the server’s skewed clock on every response, and stamps live events by it', async () => {
    const clock = new ManualClock(T0);
    const sim = await start({ clock, clockSkewMs: 90_000 });
    const token = await login(sim);
    const reply = await events(sim, token);
    expect(reply.headers.get('date')).toBe(new Date(T0 + 90_000).toUTCString());
    expect(reply.headers.get('date')).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const missing = await fetch(`${sim.url}/nowhere`);
    expect(missing.headers.get('date')).toBe(new Date(T0 + 90_000).toUTCString());
    const stop = sim.startLiveTraffic({ eventsPerSecond: 400, commitDelayMs: [0, 0], seed: 5, adminShare: 0 });
    await expect.poll(() => sim.count('acme', 'user'), { timeout: 10_000, interval: 20 }).toBeGreaterThan(3);
    stop();
    const live = (await events(sim, token, 'max=-1')).body as UserEvent[];
    expect(new Set(live.map((e) => e.time))).toEqual(new Set([T0 + 90_000]));
  });

  it('expires tokens by the server’s clock', async () => {
    const clock = new ManualClock(T0);
    const sim = await start({ clock, clockSkewMs: -30_000, tokenLifetimeMs: 60_000 });
    const token = await login(sim);
    clock.advance(59_999);
    expect((await events(sim, token)).status).toBe(200);
    clock.advance(1);
    expect((await events(sim, token)).status).toBe(401);
  });

  it('commits a long-tail share of live events seconds late, hidden until the server clock reaches them', async () => {
    const clock = new ManualClock(T0);
    const sim = await start({ clock });
    const stop = sim.startLiveTraffic({ eventsPerSecond: 400, lateCommits: { share: 1, maxMs: 5_000 }, seed: 9, adminShare: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop();
    // Every event is at least one second late and the clock has not moved.
    expect(sim.count('acme', 'user')).toBe(0);
    clock.advance(999);
    expect(sim.count('acme', 'user')).toBe(0);
    clock.advance(4_001);
    const all = (await events(sim, await login(sim), 'max=-1')).body as UserEvent[];
    expect(all.length).toBeGreaterThan(20);
    expect(all.every((e) => e.time === T0)).toBe(true);
  });

  it('removes expired events on Keycloak’s cleanup schedule, admin events by their own expiration', async () => {
    const clock = new ManualClock(T0);
    const sim = await start({ clock, eventsExpirationSeconds: 3_600, adminEventsExpirationSeconds: 7_200, tokenLifetimeMs: 3_600_000 });
    sim.add('acme', 'user', [{ id: 'old', time: T0 - 3_600_000 - 1, type: 'LOGIN' }, { id: 'new', time: T0 - 1_000, type: 'LOGIN' }]);
    sim.add('acme', 'admin', [{ id: 'old-admin', time: T0 - 3_600_000 - 1, operationType: 'DELETE' }, { id: 'older-admin', time: T0 - 7_300_000, operationType: 'DELETE' }]);
    const token = await login(sim);
    // No cleanup has run yet: expired rows are still served, as between two runs of ClearExpiredEvents.
    expect(idsOf((await events(sim, token)).body)).toEqual(['new', 'old']);
    clock.advance(899_999);
    expect(idsOf((await events(sim, token)).body)).toEqual(['new', 'old']);
    clock.advance(1);
    expect(idsOf((await events(sim, token)).body)).toEqual(['new']);
    expect(idsOf((await events(sim, token, '', 'acme/admin-events')).body)).toEqual(['old-admin']);
    expect(sim.count('acme', 'user')).toBe(1);
  });

  it('answers events/config with the expiration to view-events holders only', async () => {
    const sim = await start({ eventsExpirationSeconds: 86_400, users: [
      { username: 'mpas-log-sync', password: 'mpas-log-sync', roles: ['view-events'] },
      { username: 'nobody', password: 'pw', roles: [] },
    ] });
    const config = await events(sim, await login(sim), '', 'acme/events/config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ eventsEnabled: true, eventsExpiration: 86_400, adminEventsEnabled: true, adminEventsDetailsEnabled: false });
    expect((config.body as { enabledEventTypes: string[] }).enabledEventTypes).toContain('LOGIN');
    expect((await events(sim, undefined, '', 'acme/events/config')).status).toBe(401);
    expect((await events(sim, await login(sim, { username: 'nobody', password: 'pw' }), '', 'acme/events/config')).status).toBe(403);
    await sim.close();
    const keep = await start({});
    expect((await events(keep, await login(keep), '', 'acme/events/config')).body).not.toHaveProperty('eventsExpiration');
  });
});
