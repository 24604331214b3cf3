import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../../lib/core/events/event-schemas.js';
import { formatDefinition } from '../../../../../lib/core/formats/format-registry.js';
import { toOcsfEvent } from '../../../../../lib/core/formats/ocsf/ocsf-event.js';
import { ocsfSeverity } from '../../../../../lib/core/formats/ocsf/ocsf-severity.js';
import { createRedactor } from '../../../../../lib/core/pipeline/redactor.js';
import { Severity } from '../../../../../lib/core/pipeline/severity.js';
import { ocsfProblems } from '../../../../support/ocsf-validator.js';

const TIME = 1_739_388_468_633;
const PRODUCT = { version: '2.0.0' };
const userContext = { tenant: 'acme-tenant', realm: 'acme', stream: 'user' as const, key: 'key-1' };
const adminContext = { ...userContext, stream: 'admin' as const };

const LOGIN_ERROR: UserEvent = {
  id: 'e-1',
  time: TIME,
  type: 'LOGIN_ERROR',
  realmId: 'realm-uuid',
  clientId: 'account-console',
  userId: 'u-1',
  sessionId: 's-1',
  ipAddress: '203.0.113.9',
  error: 'invalid_user_credentials',
  details: { username: 'alice', auth_method: 'openid-connect', redirect_uri: 'https://app.example/cb' },
};

describe('toOcsfEvent', () => {
  it('writes a failed login as Authentication: Logon, Failure, with its user, endpoint, metadata and the rest unmapped', () => {
    expect(toOcsfEvent(LOGIN_ERROR, userContext, PRODUCT)).toEqual({
      class_uid: 3002,
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      type_name: 'Authentication: Logon',
      severity_id: 3,
      severity: 'Medium',
      status_id: 2,
      status: 'Failure',
      status_detail: 'invalid_user_credentials',
      time: TIME,
      message: 'User login failed',
      metadata: {
        version: '1.8.0',
        product: { name: 'MPAS', vendor_name: 'Kelvin Zero', version: '2.0.0' },
        uid: 'key-1',
        event_code: 'LOGIN_ERROR',
        original_time: String(TIME),
        log_name: 'user',
        tenant_uid: 'acme-tenant',
      },
      user: { uid: 'u-1', name: 'alice', domain: 'acme' },
      service: { name: 'acme' },
      actor: { app_name: 'account-console' },
      session: { uid: 's-1' },
      auth_protocol_id: 4,
      auth_protocol: 'OpenID',
      src_endpoint: { ip: '203.0.113.9' },
      unmapped: { realmId: 'realm-uuid', details: { redirect_uri: 'https://app.example/cb' } },
    });
  });

  it('keys metadata.uid by the event key the caller gives, else by the event itself', () => {
    const { key: _key, ...withoutKey } = userContext;
    expect(toOcsfEvent(LOGIN_ERROR, withoutKey, PRODUCT).metadata['uid']).toBe('e-1');
  });

  it('writes an impersonation as Account Switch (Impersonate) with the impersonator as actor', () => {
    const ocsf = toOcsfEvent({ time: TIME, type: 'IMPERSONATE', userId: 'u-2', details: { impersonator: 'root', impersonator_id: 'a-1' } }, userContext, PRODUCT);
    expect([ocsf.type_uid, ocsf['account_switch_type_id'], ocsf['actor']]).toEqual([300207, 2, { user: { uid: 'a-1', name: 'root', domain: 'acme' } }]);
    expect(ocsfProblems(ocsf)).toEqual([]);
  });

  it('maps admin events by resource type, refined by the resource path', () => {
    const admin = (operationType: string, resourceType: string, resourcePath: string, representation?: string): AdminEvent => ({
      time: TIME,
      operationType,
      resourceType,
      resourcePath,
      ...(representation === undefined ? {} : { representation }),
      authDetails: { realmId: 'master', clientId: 'admin-cli', userId: 'admin-1', ipAddress: '192.0.2.1' },
    });
    const grant = toOcsfEvent(admin('CREATE', 'REALM_ROLE_MAPPING', 'users/u-1/role-mappings/realm', '[{"name":"admin"}]'), adminContext, PRODUCT);
    expect([grant.type_uid, grant['user'], grant['privileges'], grant['actor']]).toEqual([
      300501,
      { uid: 'u-1', domain: 'acme' },
      ['admin'],
      { user: { uid: 'admin-1', domain: 'master', type_id: 2, type: 'Admin' }, app_name: 'admin-cli' },
    ]);
    const groupGrant = toOcsfEvent(admin('DELETE', 'CLIENT_ROLE_MAPPING', 'groups/g-1/role-mappings/clients/c-1'), adminContext, PRODUCT);
    expect([groupGrant.type_uid, groupGrant['group']]).toEqual([300602, { uid: 'g-1' }]);
    expect(toOcsfEvent(admin('ACTION', 'USER', 'users/u-1/reset-password'), adminContext, PRODUCT).type_uid).toBe(300104);
    expect(toOcsfEvent(admin('DELETE', 'USER_SESSION', 'sessions/s-9'), adminContext, PRODUCT)['session']).toEqual({ uid: 's-9' });
    const client = toOcsfEvent(admin('UPDATE', 'CLIENT', 'clients/c-1', '{"name":"Portal"}'), adminContext, PRODUCT);
    expect([client.type_uid, client['entity']]).toEqual([300403, { type: 'Client', uid: 'clients/c-1', name: 'Portal' }]);
    const unknown = toOcsfEvent(admin('CREATE', 'NEW_THING', 'things/t-1'), adminContext, PRODUCT);
    expect([unknown.type_uid, unknown['api'], unknown['resources']]).toEqual([600301, { operation: 'CREATE' }, [{ type: 'NEW_THING', uid: 'things/t-1' }]]);
    for (const ocsf of [grant, groupGrant, client, unknown]) expect(ocsfProblems(ocsf)).toEqual([]);
  });

  it('carries redaction through: a masked, hashed or removed address is never the original in any field', () => {
    const canary = '198.51.100.77';
    const event: UserEvent = { ...LOGIN_ERROR, ipAddress: canary };
    const adminEvent: AdminEvent = { time: TIME, operationType: 'DELETE', resourceType: 'USER', resourcePath: 'users/u-1', authDetails: { userId: 'admin-1', ipAddress: canary } };
    for (const mode of ['mask', 'hash', 'remove'] as const) {
      const redactor = createRedactor({ mode, hashKey: 'k', userFields: ['ipAddress'], adminFields: ['authDetails.ipAddress'] });
      const user = toOcsfEvent(redactor(event, 'user'), userContext, PRODUCT);
      const admin = toOcsfEvent(redactor(adminEvent, 'admin'), adminContext, PRODUCT);
      for (const ocsf of [user, admin]) {
        expect(JSON.stringify(ocsf), mode).not.toContain(canary);
        expect(ocsfProblems(ocsf), mode).toEqual([]);
      }
      const expected = mode === 'mask' ? { uid: '<redacted>' } : mode === 'hash' ? { uid: expect.stringMatching(/^hmac-sha256:/) as unknown } : undefined;
      expect(user['src_endpoint'], mode).toEqual(expected);
      expect(admin['src_endpoint'], mode).toEqual(expected);
    }
  });

  it('maps the catalog severity onto severity_id', () => {
    expect(Object.values(Severity).map((level) => [level, ocsfSeverity(level).id])).toEqual([
      [10, 6],
      [9, 5],
      [8, 5],
      [7, 4],
      [6, 3],
      [4, 2],
      [3, 1],
      [2, 1],
      [1, 1],
    ]);
  });

  it('is registered as the ocsf format, a document whose catalog severity reads back', () => {
    const definition = formatDefinition('ocsf');
    const formatter = definition.create({ version: '2.0.0' });
    expect([definition.kind, formatter.format]).toEqual(['document', 'ocsf']);
    expect(definition.readSeverity(formatter.encode({ time: TIME, type: 'REFRESH_TOKEN' }, userContext), 'user')).toBe(Severity.Debug);
    expect(definition.readSeverity(formatter.encode(LOGIN_ERROR, userContext), 'user')).toBe(Severity.Warning);
    const realmDelete = formatter.encode({ time: TIME, operationType: 'DELETE', resourceType: 'REALM' }, adminContext);
    expect(definition.readSeverity(realmDelete, 'admin')).toBe(Severity.Critical);
    expect(definition.readSeverity('not json', 'user')).toBeUndefined();
  });
});
