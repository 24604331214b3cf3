import { afterEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator, MpasSimulatorOptions } from '../../../devtools/mpas-simulator/index.js';
import {
  MpasAuthError,
  MpasForbiddenError,
  MpasRequestRejectedError,
  MpasUnavailableError,
} from '../../../lib/sources/mpas/errors.js';
import type { MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { MpasClient } from '../../../lib/sources/mpas/mpas-client.js';
import type { MpasClientOptions, MpasCredentials } from '../../../lib/sources/mpas/mpas-client.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { recordingSleep, seededRandom } from '../../support/scripted-fetch.js';

const SEED = 31337;
const NOW = Date.parse('2025-02-12T12:00:00.000Z');
const DEFAULT_USER: MpasCredentials = { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' };

const running: MpasSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

/** A simulator on a free port, sharing the test's manual clock, closed after the test. */
async function simulator(options: Partial<MpasSimulatorOptions> = {}) {
  const clock = new ManualClock(NOW);
  const sim = await startMpasSimulator({ clock, realms: ['acme'], seed: SEED, ...options });
  running.push(sim);
  return { sim, clock };
}

function clientFor(sim: MpasSimulator, clock: ManualClock, options: Partial<MpasClientOptions> = {}) {
  const { sleep, delays } = recordingSleep();
  const client = new MpasClient({
    baseUrl: sim.url,
    authRealm: 'master',
    credentials: DEFAULT_USER,
    clock,
    sleep,
    random: seededRandom(SEED),
    requestTimeoutMs: 5_000,
    ...options,
  });
  return { client, delays };
}

/** `count` user events, one every second, the last a minute before NOW. */
function userEvents(count: number, withIds = true) {
  return generateEvents({ seed: SEED, realm: 'acme', count, startTime: NOW - 60_000 - (count - 1) * 1_000, spacingMs: 1_000, adminShare: 0, withIds }).user;
}

async function readAll(client: MpasClient, query: Omit<Parameters<MpasClient['getEvents']>[0], 'first' | 'max'>, pageSize: number, between?: () => void): Promise<MpasEvent[]> {
  const all: MpasEvent[] = [];
  for (let first = 0; ; first += pageSize) {
    const page = await client.getEvents({ ...query, first, max: pageSize });
    all.push(...page);
    if (page.length < pageSize) return all;
    between?.();
  }
}

describe('MpasClient', () => {
  it('finds a modern server and reads its pages oldest first by epoch milliseconds', async () => {
    const { sim, clock } = await simulator({ mode: 'modern' });
    const events = userEvents(25);
    sim.add('acme', 'user', events);
    const { client } = clientFor(sim, clock);
    expect(await client.apiMode('acme')).toBe('modern');
    const read = await readAll(client, { realm: 'acme', stream: 'user', dateFrom: NOW - 3_600_000, dateTo: NOW, direction: 'asc' }, 10);
    expect(read).toEqual(events);
    expect(read.every((event) => typeof event.id === 'string')).toBe(true);
  });

  it('finds a legacy server and reads it by dates only, newest first, without ids', async () => {
    const { sim, clock } = await simulator({ mode: 'legacy' });
    const events = userEvents(25);
    sim.add('acme', 'user', events);
    const { client } = clientFor(sim, clock);
    expect(await client.apiMode('acme')).toBe('legacy');
    const read = await readAll(client, { realm: 'acme', stream: 'user', dateFrom: '2025-02-12', dateTo: '2025-02-12', direction: 'asc' }, 10);
    expect(read).toEqual([...events].reverse().map(({ id: _id, ...rest }) => rest));
    const epochQuery = client.getEvents({ realm: 'acme', stream: 'user', dateFrom: NOW - 1_000, first: 0, max: 1 });
    await expect(epochQuery).rejects.toThrow(MpasRequestRejectedError);
  });

  it('remembers the mode per realm until asked to refresh it: an upgrade in place is seen then', async () => {
    const { sim, clock } = await simulator({ mode: 'legacy', realms: ['acme', 'beta'] });
    const { client } = clientFor(sim, clock);
    expect(await client.apiMode('acme')).toBe('legacy');
    sim.setMode('modern');
    expect(await client.apiMode('acme')).toBe('legacy');
    expect(await client.apiMode('beta')).toBe('modern');
    expect(await client.apiMode('acme', { refresh: true })).toBe('modern');
    expect(sim.stats().requests.events[400]).toBe(1);
    expect(sim.stats().requests.events[200]).toBe(2);
  });

  it('gets a new token when the old one expires between pages, without a 401', async () => {
    const { sim, clock } = await simulator({ tokenLifetimeMs: 60_000 });
    const events = userEvents(30);
    sim.add('acme', 'user', events);
    const { client } = clientFor(sim, clock);
    const read = await readAll(client, { realm: 'acme', stream: 'user', dateFrom: 0, dateTo: NOW, direction: 'asc' }, 10, () => clock.advance(61_000));
    expect(read).toEqual(events);
    const { requests } = sim.stats();
    expect(requests.token[200]).toBe(4);
    expect(requests.events[401]).toBeUndefined();
  });

  it('renews a token the server revoked and repeats the page once', async () => {
    const { sim, clock } = await simulator();
    sim.add('acme', 'user', userEvents(3));
    const { client } = clientFor(sim, clock);
    await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 });
    sim.faults.revokeAllTokens();
    await expect(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 })).resolves.toHaveLength(3);
    const { requests } = sim.stats();
    expect(requests.events).toEqual({ 200: 2, 401: 1 });
    expect(requests.token[200]).toBe(2);
  });

  it('logs in with the client_credentials grant', async () => {
    const { sim, clock } = await simulator({ clients: [{ clientId: 'log-sync', secret: 'c-secret-1', roles: ['view-events'] }] });
    const admin = generateEvents({ seed: SEED, realm: 'acme', count: 12, startTime: NOW - 120_000, adminShare: 1 }).admin;
    sim.add('acme', 'admin', admin);
    const { client } = clientFor(sim, clock, { credentials: { grant: 'client_credentials', clientId: 'log-sync', clientSecret: 'c-secret-1' } });
    await expect(client.getEvents({ realm: 'acme', stream: 'admin', dateFrom: 0, dateTo: NOW, first: 0, max: 100, direction: 'asc' })).resolves.toEqual(admin);
  });

  it('waits what Retry-After asks on 429, then reads the page', async () => {
    const { sim, clock } = await simulator();
    sim.add('acme', 'user', userEvents(5));
    const { client, delays } = clientFor(sim, clock);
    sim.faults.failNext({ count: 2, status: 429, retryAfterSeconds: 3, endpoint: 'events' });
    await expect(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 })).resolves.toHaveLength(5);
    expect(delays).toEqual([3_000, 3_000]);
  });

  it('caps a long Retry-After at maxDelayMs', async () => {
    const { sim, clock } = await simulator();
    const { client, delays } = clientFor(sim, clock, { retry: { maxDelayMs: 10_000 } });
    sim.faults.failNext({ count: 1, status: 503, retryAfterSeconds: 3_600, endpoint: 'token' });
    await expect(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 })).resolves.toEqual([]);
    expect(delays).toEqual([10_000]);
  });

  it('backs off with jitter through a burst of 500s, then reads the page', async () => {
    const { sim, clock } = await simulator();
    sim.add('acme', 'user', userEvents(5));
    const { client, delays } = clientFor(sim, clock, { retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 } });
    sim.faults.failNext({ count: 3, status: 500, endpoint: 'events' });
    await expect(client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 })).resolves.toHaveLength(5);
    expect(delays, `seed ${SEED}`).toHaveLength(3);
    delays.forEach((delay, retry) => expect(delay, `seed ${SEED}, retry ${retry}`).toBeLessThanOrEqual(500 * 2 ** retry));
    expect(sim.stats().requests.events).toEqual({ 500: 3, 200: 1 });
  });

  it('gives up with MpasUnavailableError when the 500s outlast the attempts', async () => {
    const { sim, clock } = await simulator();
    const { client } = clientFor(sim, clock, { retry: { attempts: 3 } });
    sim.faults.failNext({ count: 5, status: 500, endpoint: 'events' });
    const error = await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasUnavailableError);
    expect((error as MpasUnavailableError).lastStatus).toBe(500);
    expect(sim.stats().requests.events).toEqual({ 500: 3 });
  });

  it('times out a server that does not answer and reports it unavailable', async () => {
    const { sim, clock } = await simulator();
    const { client } = clientFor(sim, clock, { requestTimeoutMs: 50, retry: { attempts: 2 } });
    sim.faults.setLatency(500);
    const error = await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasUnavailableError);
    expect((error as Error).message).toContain('a timeout (no complete response within 50 ms)');
  });

  it('says plainly that the user lacks view-events on a 403', async () => {
    const { sim, clock } = await simulator({ users: [{ username: 'no-role', password: 'pw-no-role', roles: [] }] });
    const { client } = clientFor(sim, clock, { credentials: { grant: 'password', clientId: 'admin-cli', username: 'no-role', password: 'pw-no-role' } });
    const error = await client.apiMode('acme').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasForbiddenError);
    expect((error as Error).message).toBe('the MPAS user lacks the view-events role in realm acme: assign it in Role Mapping');
  });

  it('reads a page holding a bad event once more and uses that answer: a passing corruption loses nothing', async () => {
    const { sim, clock } = await simulator();
    sim.add('acme', 'user', userEvents(4));
    const { client } = clientFor(sim, clock);
    sim.faults.setMalformedNext(1); // its first event's time as text
    const before = sim.stats().requests.events?.[200] ?? 0;
    const page = await client.getEvents({ realm: 'acme', stream: 'user', dateFrom: 0, dateTo: NOW, first: 0, max: 10, direction: 'asc' });
    expect(page).toHaveLength(4);
    expect(page.filter((event) => 'rejected' in event)).toEqual([]);
    expect((sim.stats().requests.events?.[200] ?? 0) - before, 'read twice').toBe(2);
  });

  it('refuses a bad password with MpasAuthError that names the settings, not the password', async () => {
    const { sim, clock } = await simulator();
    const password = 'Wr0ng-Pa55word!';
    const { client } = clientFor(sim, clock, { credentials: { ...DEFAULT_USER, password } });
    const error = await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 10 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MpasAuthError);
    expect((error as Error).message).toContain('check MPAS_USERNAME/MPAS_PASSWORD');
    expect((error as Error).message).not.toContain(password);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(password);
    expect(sim.stats().requests.token).toEqual({ 401: 1 });
  });
});
