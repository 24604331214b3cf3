import { describe, expect, it } from 'vitest';
import { expiryRisk, expiryWarning, parseEventsConfig } from '../../../../lib/sources/mpas/events-config.js';
import { MpasClient } from '../../../../lib/sources/mpas/mpas-client.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { json, recordingSleep, scriptedFetch } from '../../../support/scripted-fetch.js';
import type { SeenRequest } from '../../../support/scripted-fetch.js';

/** A client whose events/config endpoint answers `config`. */
function clientAnswering(config: (request: SeenRequest) => Response) {
  const { fetch, calls } = scriptedFetch((request) => (request.url.pathname.endsWith('/token') ? json(200, { access_token: 'tok', expires_in: 300 }) : config(request)));
  const client = new MpasClient({
    baseUrl: 'http://mpas.test',
    authRealm: 'master',
    credentials: { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'hunter2' },
    clock: new ManualClock(1_739_388_000_000),
    sleep: recordingSleep().sleep,
    random: () => 0.5,
    fetch,
  });
  return { client, calls };
}

describe('MpasClient.eventsExpiration', () => {
  it('reads GET /admin/realms/{realm}/events/config: eventsExpiration and adminEventsExpiration in seconds', async () => {
    const { client, calls } = clientAnswering(() => json(200, { eventsEnabled: true, eventsExpiration: 604_800, adminEventsEnabled: true, adminEventsExpiration: 86_400, eventsListeners: ['jboss-logging'] }));
    await expect(client.eventsExpiration('my realm')).resolves.toEqual({ status: 'known', userSeconds: 604_800, adminSeconds: 86_400 });
    const call = calls.find((seen) => !seen.url.pathname.endsWith('/token'));
    expect(call?.url.pathname).toBe('/admin/realms/my%20realm/events/config');
    expect(call?.url.search).toBe('');
    expect(call?.headers.get('authorization')).toBe('Bearer tok');
  });

  it('takes absent, null and 0 as "not set" (an older Keycloak reports no adminEventsExpiration)', async () => {
    const { client } = clientAnswering(() => json(200, { eventsEnabled: true, eventsExpiration: null }));
    await expect(client.eventsExpiration('acme')).resolves.toEqual({ status: 'known' });
    expect(parseEventsConfig('{"eventsExpiration":0,"adminEventsExpiration":3600}')).toEqual({ status: 'known', adminSeconds: 3600 });
  });

  it('answers unknown to 403, 404 and a body that is not the representation, without throwing', async () => {
    for (const [status, body, reason] of [
      [403, { error: 'unknown_error' }, /refused \(403\): it needs the view-events role/],
      [404, { error: 'Unable to find matching target resource method' }, /not served \(status 404\)/],
      [200, [1, 2], /not a RealmEventsConfigRepresentation/],
    ] as const) {
      const { client } = clientAnswering(() => json(status, body));
      const answer = await client.eventsExpiration('acme');
      expect(answer.status).toBe('unknown');
      expect(answer.status === 'unknown' ? answer.reason : '').toMatch(reason);
    }
  });
});

describe('expiryRisk and expiryWarning', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it('warns past half of the expiration, saying Keycloak deletes older events for good', () => {
    const quiet = expiryRisk(now - 3 * 86_400_000, now, 7 * 86_400);
    expect(quiet.warn).toBe(false);
    expect(expiryWarning('acme', 'user', quiet)).toBeUndefined();
    const old = expiryRisk(now - 4 * 86_400_000, now, 7 * 86_400);
    expect(old).toMatchObject({ ageSeconds: 4 * 86_400, expirationSeconds: 7 * 86_400, warn: true });
    expect(expiryWarning('acme', 'user', old)).toMatch(/^realm acme user events: the cursor is 4 d 0 h old, 57% of the realm's event expiration \(7 d 0 h\)\. Keycloak deletes events older than 7 d 0 h, and deleted events can no longer be read/);
  });

  it('never warns without an expiration', () => {
    expect(expiryRisk(0, now, undefined)).toEqual({ ageSeconds: now / 1000, warn: false });
  });
});
