import { describe, expect, it } from 'vitest';
import { adminEventSchema, userEventSchema } from '../../../lib/core/events/event-schemas.js';
import type { AdminEvent } from '../../../lib/core/events/event-schemas.js';
import { createEventSource, generateAdminEvent, generateEvents, generateUserEvent, realmIdFor } from '../../../devtools/generators/event-generator.js';
import { createRandom } from '../../../devtools/generators/random.js';

const SEED = 20250212;
const START = Date.UTC(2025, 1, 12, 19, 27, 48, 633);

function parsedRepresentations(events: readonly AdminEvent[]): unknown[] {
  return events.filter((event) => typeof event.representation === 'string').map((event) => JSON.parse(event.representation as string));
}

describe('generateEvents', () => {
  const batch = generateEvents({ seed: SEED, realm: 'acme', count: 3000, startTime: START, adminShare: 0.2 });

  it('gives the same events, ids included, for the same seed, and others for another seed', () => {
    expect(generateEvents({ seed: SEED, realm: 'acme', count: 3000, startTime: START, adminShare: 0.2 })).toEqual(batch);
    const other = generateEvents({ seed: SEED + 1, realm: 'acme', count: 3000, startTime: START, adminShare: 0.2 });
    expect(other.user.map((event) => event.id)).not.toEqual(batch.user.map((event) => event.id));
  });

  it('produces events the MPAS schemas accept, with unique ids and the realm id', () => {
    for (const event of batch.user) expect(userEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
    for (const event of batch.admin) expect(adminEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
    const ids = [...batch.user, ...batch.admin].map((event) => event.id);
    expect(new Set(ids).size).toBe(3000);
    expect(new Set([...batch.user, ...batch.admin].map((event) => event.realmId))).toEqual(new Set([realmIdFor('acme')]));
  });

  it('spaces events by spacingMs in time order and splits them by adminShare', () => {
    const times = [...batch.user, ...batch.admin].map((event) => event.time).sort((a, b) => a - b);
    expect(times[0]).toBe(START);
    expect(times[times.length - 1]).toBe(START + 2999 * 250);
    expect(new Set(times).size).toBe(3000);
    expect(batch.admin.length).toBeGreaterThan(480);
    expect(batch.admin.length).toBeLessThan(720);
    const tied = generateEvents({ seed: SEED, realm: 'acme', count: 50, startTime: START, spacingMs: 0 });
    expect(new Set([...tied.user, ...tied.admin].map((event) => event.time))).toEqual(new Set([START]));
  });

  it('covers many user event types, with the details Keycloak records', () => {
    const types = new Set(batch.user.map((event) => event.type));
    for (const type of ['LOGIN', 'LOGIN_ERROR', 'LOGOUT', 'CODE_TO_TOKEN', 'REFRESH_TOKEN', 'CLIENT_LOGIN', 'UPDATE_PASSWORD', 'UPDATE_TOTP', 'REMOVE_TOTP', 'SEND_VERIFY_EMAIL', 'RESET_PASSWORD', 'REGISTER', 'IMPERSONATE', 'TOKEN_EXCHANGE']) {
      expect(types, type).toContain(type);
    }
    const loginError = batch.user.find((event) => event.type === 'LOGIN_ERROR' && event.error === 'invalid_user_credentials');
    expect(loginError?.details?.['username']).toBeTruthy();
    const directGrant = batch.user.find((event) => event.type === 'LOGIN' && event.clientId === 'admin-cli');
    expect(Object.keys(directGrant?.details ?? {})).toEqual(
      ['auth_method', 'token_id', 'grant_type', 'refresh_token_type', 'scope', 'refresh_token_id', 'client_auth_method', 'username'],
    );
    const register = batch.user.find((event) => event.type === 'REGISTER');
    expect(register?.details?.['email']).toMatch(/@/);
  });

  it('uses IPv4 and IPv6 addresses and UUID user and session ids', () => {
    const addresses = batch.user.map((event) => event.ipAddress ?? '');
    expect(addresses.some((ip) => /^\d{1,3}(\.\d{1,3}){3}$/.test(ip))).toBe(true);
    expect(addresses.some((ip) => ip.includes(':'))).toBe(true);
    const login = batch.user.find((event) => event.type === 'LOGIN');
    expect(login?.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(login?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries personal data and plaintext credentials in admin representations, as Keycloak does', () => {
    const bodies = parsedRepresentations(batch.admin) as Array<Record<string, unknown>>;
    const users = bodies.filter((body) => typeof body['email'] === 'string');
    expect(users.length).toBeGreaterThan(0);
    expect(users[0]).toMatchObject({ username: expect.any(String), firstName: expect.any(String), lastName: expect.any(String) });
    expect(users.some((body) => Array.isArray(body['credentials']) && (body['credentials'] as Array<Record<string, unknown>>)[0]?.['type'] === 'password')).toBe(true);
    expect(bodies.some((body) => body['type'] === 'password' && body['temporary'] === true && typeof body['value'] === 'string')).toBe(true);
    expect(bodies.some((body) => typeof body['secret'] === 'string' && (body['secret'] as string).length === 32)).toBe(true);
    const deletes = batch.admin.filter((event) => event.operationType === 'DELETE' && event.resourceType === 'USER');
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.every((event) => event.representation === undefined)).toBe(true);
  });

  it('uses Keycloak resource paths and auth details', () => {
    const paths = batch.admin.map((event) => `${event.operationType} ${event.resourceType} ${event.resourcePath}`);
    expect(paths.some((line) => /^DELETE USER_SESSION sessions\/[0-9a-f-]{36}$/.test(line))).toBe(true);
    expect(paths.some((line) => /^ACTION USER users\/[0-9a-f-]{36}\/reset-password$/.test(line))).toBe(true);
    expect(paths.some((line) => /^CREATE REALM_ROLE_MAPPING users\/[0-9a-f-]{36}\/role-mappings\/realm$/.test(line))).toBe(true);
    expect(paths.some((line) => /^CREATE CLIENT_ROLE_MAPPING users\/.+\/role-mappings\/clients\/[0-9a-f-]{36}$/.test(line))).toBe(true);
    expect(paths.some((line) => /^(CREATE|DELETE) GROUP_MEMBERSHIP users\/.+\/groups\//.test(line))).toBe(true);
    for (const event of batch.admin) {
      expect(Object.keys(event.authDetails ?? {})).toEqual(['realmId', 'clientId', 'userId', 'ipAddress']);
    }
  });

  it('leaves ids out when asked, as legacy Keycloak does', () => {
    const legacy = generateEvents({ seed: SEED, realm: 'acme', count: 200, startTime: START, withIds: false });
    expect([...legacy.user, ...legacy.admin].every((event) => !('id' in event))).toBe(true);
  });

  it('rejects a negative count, spacing or an admin share outside 0..1', () => {
    expect(() => generateEvents({ seed: 1, realm: 'r', count: -1, startTime: 0 })).toThrow(/count/);
    expect(() => generateEvents({ seed: 1, realm: 'r', count: 1, startTime: 0, spacingMs: -5 })).toThrow(/spacingMs/);
    expect(() => generateEvents({ seed: 1, realm: 'r', count: 1, startTime: 0, adminShare: 2 })).toThrow(/adminShare/);
  });
});

describe('generateUserEvent', () => {
  it('honours a forced type, person and address', () => {
    const person = { userId: 'u-1', username: 'amelie.cote', email: 'amelie@example.com', firstName: 'Amélie', lastName: 'Côté' };
    const event = generateUserEvent(createRandom(3), { realmId: 'r-1', time: 5, type: 'LOGIN_ERROR', person, ipAddress: '::1' });
    expect(event).toMatchObject({ time: 5, type: 'LOGIN_ERROR', realmId: 'r-1', ipAddress: '::1' });
    expect(['invalid_user_credentials', 'user_not_found']).toContain(event.error);
  });
});

describe('generateAdminEvent', () => {
  it('puts the reset password in plaintext into the representation', () => {
    const event = generateAdminEvent(createRandom(11), { realmId: 'r-1', time: 9, operation: 'reset-password' });
    expect(event).toMatchObject({ operationType: 'ACTION', resourceType: 'USER', time: 9 });
    expect(JSON.parse(event.representation as string)).toMatchObject({ type: 'password', temporary: true, value: expect.any(String) });
  });
});

describe('createEventSource', () => {
  it('is deterministic per seed and stamps the time it is given', () => {
    const a = createEventSource({ seed: 8, realm: 'acme' });
    const b = createEventSource({ seed: 8, realm: 'acme' });
    for (let time = 0; time < 100; time += 1) {
      const left = a.next(time);
      expect(left).toEqual(b.next(time));
      expect(left.event.time).toBe(time);
    }
  });
});
