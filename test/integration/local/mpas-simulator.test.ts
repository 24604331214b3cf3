import { afterEach, describe, expect, it } from 'vitest';
import type { AdminEvent, MpasEvent, UserEvent } from '../../../lib/mpas/event-schemas.js';
import { userEventSchema } from '../../../lib/mpas/event-schemas.js';
import { generateEvents } from '../../../lib/local/event-generator.js';
import { startMpasSimulator } from '../../../lib/local/mpas-simulator/index.js';
import type { MpasSimulator, MpasSimulatorOptions } from '../../../lib/local/mpas-simulator/index.js';
import { ManualClock } from '../../../lib/time/clock.js';

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

  it('reads yyyy-MM-dd as whole days in the server’s zone', async () => {
    const sim = await start({ serverUtcOffsetMinutes: 120 });
    // The server's 2025-02-12 runs from 2025-02-11T22:00Z to 2025-02-12T21:59:59.999Z.
    const edges = [DAY_START - 7_200_001, DAY_START - 7_200_000, DAY_START + DAY - 7_200_001, DAY_START + DAY - 7_200_000];
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

  it('answers 404 and 500 for first/max values Keycloak cannot convert or use', async () => {
    const sim = await start();
    const token = await login(sim);
    expect((await events(sim, token, 'max=lots')).status).toBe(404);
    expect((await events(sim, token, 'first=-3')).status).toBe(500);
  });
});

describe('MpasSimulator queries in legacy mode', () => {
  it('takes only yyyy-MM-dd dates and answers 400 with Keycloak’s message otherwise', async () => {
    const sim = await start({ mode: 'legacy' });
    const token = await login(sim);
    expect(await events(sim, token, `dateFrom=${T0}`)).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" } });
    expect(await events(sim, token, `dateTo=${T0}`)).toMatchObject({ status: 400, body: { error: "Invalid value for 'Date(To)', expected format is yyyy-MM-dd" } });
  });

  it('answers newest first whatever direction says, without ids, dateTo covering its whole day', async () => {
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
  it('orders same-millisecond events the same on every request, not in insertion order', async () => {
    const seed = 4242;
    const sim = await start({ seed });
    const tied = numbered(40, T0, 0);
    sim.add('acme', 'user', tied);
    const token = await login(sim);
    const first = idsOf((await events(sim, token, 'direction=asc')).body);
    const again = idsOf((await events(sim, token, 'direction=asc')).body);
    expect(again, `seed ${seed}`).toEqual(first);
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
    const sim = await start();
    const total = 200_000;
    // Four events per millisecond, so pages also cut through ties.
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
