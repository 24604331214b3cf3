import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { ECS_VERSION, createEcsFormatter, ecsSeverity } from '../../../../lib/core/formats/ecs/ecs-formatter.js';
import type { FormatContext } from '../../../../lib/core/formats/formatter.js';
import { ADMIN_CONTEXT, CREATE_USER, LOGIN, USER_CONTEXT } from '../../../support/identity-events.js';

const formatter = createEcsFormatter({ version: '1.2.3' });

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed document, read by path

const ecs = (event: UserEvent | AdminEvent, context: FormatContext): Doc => JSON.parse(formatter.encode(event, context)) as Doc;

const [userContext, adminContext] = [USER_CONTEXT, ADMIN_CONTEXT];
const login: UserEvent = { ...LOGIN, sessionId: 's-1', details: { ...LOGIN.details, redirect_uri: 'https://portal/cb', authSessionParentId: 'p-1' } };
const createUser: AdminEvent = { ...CREATE_USER, representation: '{"username":"bob"}' };

describe('createEcsFormatter', () => {
  it('writes a login with each ECS field where Elastic writes it, @timestamp first', () => {
    const text = formatter.encode(login, userContext);
    expect(text.startsWith('{"@timestamp":"2025-02-12T19:27:50.156Z",')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      '@timestamp': '2025-02-12T19:27:50.156Z',
      message: 'User logged in',
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['info', 'start'],
        action: 'LOGIN',
        outcome: 'success',
        severity: 3,
        id: 'key-1',
        module: 'mpas',
        dataset: 'mpas.user',
      },
      user: { id: 'u-1', name: 'alice', domain: 'customers' },
      source: { address: '203.0.113.7', ip: '203.0.113.7' },
      related: { user: ['u-1', 'alice'], ip: ['203.0.113.7'] },
      observer: { vendor: 'Kelvin Zero', product: 'MPAS' },
      agent: { type: 'mpas-log-sync', version: '1.2.3' },
      ecs: { version: ECS_VERSION },
      keycloak: {
        event_type: 'login',
        realm: { id: 'customers' },
        client: { id: 'portal' },
        session: { id: 's-1' },
        login: { type: 'LOGIN', auth_method: 'openid-connect', redirect_uri: 'https://portal/cb', auth_session_parent_id: 'p-1' },
      },
    });
  });

  it('says a failed login failed: the error as the code, a higher severity, no start', () => {
    const doc = ecs({ ...login, type: 'LOGIN_ERROR', error: 'invalid_user_credentials' }, userContext);
    expect(doc['event']).toMatchObject({ action: 'LOGIN_ERROR', code: 'invalid_user_credentials', outcome: 'failure', type: ['info'], category: ['authentication'] });
    expect(doc['event'].severity).toBeGreaterThan(3);
    expect(doc['error']).toEqual({ code: 'invalid_user_credentials' });
    expect(doc['message']).toBe('User login failed');
  });

  it('writes an admin creating a user as an iam creation of a user, with the acting admin and the target', () => {
    const doc = ecs(createUser, adminContext);
    expect(doc['event']).toEqual({
      kind: 'event',
      category: ['iam'],
      type: ['admin', 'creation', 'user'],
      action: 'CREATE-USER',
      code: 'CREATE-USER',
      outcome: 'success',
      severity: 4,
      id: 'key-1',
      module: 'mpas',
      dataset: 'mpas.admin',
    });
    expect(doc['user']).toEqual({ id: 'adm-1', domain: 'customers', target: { id: 'u-9' } });
    expect(doc['source']).toEqual({ address: '198.51.100.4', ip: '198.51.100.4' });
    expect(doc['related']).toEqual({ user: ['adm-1', 'u-9'], ip: ['198.51.100.4'] });
    expect(doc['keycloak']).toEqual({
      event_type: 'admin',
      realm: { id: 'customers' },
      client: { id: 'admin-cli' },
      admin: { operation: 'CREATE', resource: { type: 'USER', path: 'users/u-9' }, representation: '{"username":"bob"}', auth: { realm_id: 'customers' } },
    });
  });

  it('writes a group change as an iam change of a group, the group id from the path', () => {
    const doc = ecs({ ...createUser, operationType: 'UPDATE', resourceType: 'GROUP', resourcePath: 'groups/g-7', authDetails: { realmId: 'master', userId: 'adm-1' } }, adminContext);
    expect(doc['event']).toMatchObject({ category: ['iam'], type: ['admin', 'change', 'group'], action: 'UPDATE-GROUP' });
    expect(doc['group']).toEqual({ id: 'g-7' });
    // The admin of another realm (master) is not a member of the realm changed.
    expect(doc['user']).toEqual({ id: 'adm-1' });
    expect(ecs({ ...createUser, resourceType: 'GROUP_MEMBERSHIP', resourcePath: 'users/u-9/groups/g-7' }, adminContext)['event'].type).toEqual(['admin', 'creation', 'group', 'user']);
  });

  it('files account changes under iam and token events under authentication', () => {
    const typeOf = (type: string): unknown => ecs({ ...login, type }, userContext)['event'];
    expect(typeOf('UPDATE_PASSWORD')).toMatchObject({ category: ['iam'], type: ['user', 'change'] });
    expect(typeOf('REGISTER')).toMatchObject({ category: ['iam'], type: ['user', 'creation'] });
    expect(typeOf('DELETE_ACCOUNT')).toMatchObject({ category: ['iam'], type: ['user', 'deletion'] });
    expect(typeOf('SEND_RESET_PASSWORD')).toMatchObject({ category: ['iam'], type: ['user', 'info'] });
    expect(typeOf('FEDERATED_IDENTITY_LINK')).toMatchObject({ category: ['iam'], type: ['user', 'change'] });
    expect(typeOf('REFRESH_TOKEN')).toMatchObject({ category: ['authentication'], type: ['info'] });
    expect(typeOf('LOGOUT')).toMatchObject({ category: ['authentication'], type: ['info', 'end'] });
    expect(typeOf('CLIENT_REGISTER')).toMatchObject({ category: ['configuration'], type: ['creation'] });
    expect(typeOf('SOMETHING_NEW')).toMatchObject({ category: ['authentication'], type: ['info'] });
  });

  it('keeps what has no ECS field under keycloak, and computes the key when the context has none', () => {
    const doc = ecs({ ...login, id: undefined, extra: 'x', details: { code_id: 'c' } } as UserEvent, { ...userContext, key: undefined });
    expect(doc['keycloak'].unmapped).toEqual({ extra: 'x' });
    expect(doc['keycloak'].login).toEqual({ type: 'LOGIN', code_id: 'c' });
    expect(doc['event'].id).toMatch(/^h:/);
  });

  it('keeps a masked address out of source.ip, and a masked username as user.name', () => {
    const doc = ecs({ ...login, ipAddress: '<redacted>', details: { username: '<redacted>' } }, userContext);
    expect([doc['source'], doc['user'].name, doc['related'].ip]).toEqual([{ address: '<redacted>' }, '<redacted>', undefined]);
  });

  it('reads its severity back for syslog', () => {
    expect(ecsSeverity(formatter.encode(createUser, adminContext))).toBe(4);
    expect([ecsSeverity('not json'), ecsSeverity('{"event":{}}')]).toEqual([undefined, undefined]);
  });
});
