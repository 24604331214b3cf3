import { describe, expect, it } from 'vitest';
import {
  ADMIN_OPERATIONS,
  ADMIN_RESOURCE_CATALOG,
  describeAdminEvent,
  describeUserEvent,
  knownUserEventTypes,
} from '../../../../lib/core/pipeline/event-catalog.js';
import { Severity } from '../../../../lib/core/pipeline/severity.js';

// The Keycloak 26.x EventType enum, read off its javadoc: the catalog must name every one.
const KEYCLOAK_USER_EVENT_TYPES = `AUTHREQID_TO_TOKEN CLIENT_DELETE CLIENT_INFO CLIENT_INITIATED_ACCOUNT_LINKING CLIENT_LOGIN
CLIENT_REGISTER CLIENT_UPDATE CODE_TO_TOKEN CUSTOM_REQUIRED_ACTION DELETE_ACCOUNT EXECUTE_ACTION_TOKEN EXECUTE_ACTIONS
FEDERATED_IDENTITY_LINK FEDERATED_IDENTITY_OVERRIDE_LINK GRANT_CONSENT IDENTITY_PROVIDER_FIRST_LOGIN
IDENTITY_PROVIDER_LINK_ACCOUNT IDENTITY_PROVIDER_LOGIN IDENTITY_PROVIDER_POST_LOGIN IDENTITY_PROVIDER_RESPONSE
IDENTITY_PROVIDER_RETRIEVE_TOKEN IMPERSONATE INTROSPECT_TOKEN INVALID_SIGNATURE INVITE_ORG LOGIN LOGOUT OAUTH2_DEVICE_AUTH
OAUTH2_DEVICE_CODE_TO_TOKEN OAUTH2_DEVICE_VERIFY_USER_CODE OAUTH2_EXTENSION_GRANT PERMISSION_TOKEN
PUSHED_AUTHORIZATION_REQUEST REFRESH_TOKEN REGISTER REGISTER_NODE REMOVE_CREDENTIAL REMOVE_FEDERATED_IDENTITY REMOVE_TOTP
RESET_PASSWORD RESTART_AUTHENTICATION REVOKE_GRANT SEND_IDENTITY_PROVIDER_LINK SEND_RESET_PASSWORD SEND_VERIFY_EMAIL
TOKEN_EXCHANGE UNREGISTER_NODE UPDATE_CONSENT UPDATE_CREDENTIAL UPDATE_EMAIL UPDATE_PASSWORD UPDATE_PROFILE UPDATE_TOTP
USER_DISABLED_BY_PERMANENT_LOCKOUT USER_DISABLED_BY_TEMPORARY_LOCKOUT USER_INFO_REQUEST VALIDATE_ACCESS_TOKEN VERIFY_EMAIL
VERIFY_PROFILE`.split(/\s+/);

// org.keycloak.events.admin.ResourceType of Keycloak 26.x.
const KEYCLOAK_RESOURCE_TYPES = `REALM REALM_ROLE REALM_ROLE_MAPPING REALM_SCOPE_MAPPING AUTH_FLOW AUTH_EXECUTION_FLOW
AUTH_EXECUTION AUTHENTICATOR_CONFIG REQUIRED_ACTION_CONFIG REQUIRED_ACTION IDENTITY_PROVIDER IDENTITY_PROVIDER_MAPPER
PROTOCOL_MAPPER USER USER_LOGIN_FAILURE USER_SESSION USER_FEDERATION_PROVIDER USER_FEDERATION_MAPPER GROUP GROUP_MEMBERSHIP
CLIENT CLIENT_INITIAL_ACCESS_MODEL CLIENT_ROLE CLIENT_ROLE_MAPPING CLIENT_SCOPE CLIENT_SCOPE_MAPPING
CLIENT_SCOPE_CLIENT_MAPPING CLUSTER_NODE COMPONENT AUTHORIZATION_RESOURCE_SERVER AUTHORIZATION_RESOURCE AUTHORIZATION_SCOPE
AUTHORIZATION_POLICY CUSTOM USER_PROFILE ORGANIZATION ORGANIZATION_MEMBERSHIP ORGANIZATION_GROUP
ORGANIZATION_GROUP_MEMBERSHIP`.split(/\s+/);

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'ACTION'];

describe('describeUserEvent', () => {
  it('knows every Keycloak 26 user event type and its _ERROR twin, and nothing else', () => {
    const expected = KEYCLOAK_USER_EVENT_TYPES.flatMap((type) => [type, `${type}_ERROR`]).sort();
    expect([...knownUserEventTypes()].sort()).toEqual(expected);
    for (const type of expected) expect(describeUserEvent(type, false).category, type).not.toBe('unknown');
  });

  it('describes a login and a failed login as the CEF samples need them', () => {
    expect(describeUserEvent('LOGIN', false)).toEqual({
      signatureId: 'user_login',
      name: 'User logged in',
      category: 'authentication',
      severity: Severity.Info,
    });
    expect(describeUserEvent('LOGIN_ERROR', true)).toEqual({
      signatureId: 'user_login_error',
      name: 'User login failed',
      category: 'authentication',
      severity: Severity.Warning,
    });
  });

  it('gives every signature id to exactly one type', () => {
    const ids = knownUserEventTypes().map((type) => describeUserEvent(type, false).signatureId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^user_[a-z0-9_]+$/);
  });

  it('rates every failure at least Warning', () => {
    for (const type of knownUserEventTypes().filter((t) => t.endsWith('_ERROR'))) {
      expect(describeUserEvent(type, true).severity, type).toBeGreaterThanOrEqual(Severity.Warning);
    }
  });

  it('rates changes to users and credentials at least Notice, routine token traffic at most Info', () => {
    for (const type of ['UPDATE_PASSWORD', 'RESET_PASSWORD', 'UPDATE_CREDENTIAL', 'REMOVE_CREDENTIAL', 'UPDATE_EMAIL', 'UPDATE_PROFILE', 'DELETE_ACCOUNT', 'REGISTER']) {
      expect(describeUserEvent(type, false).severity, type).toBeGreaterThanOrEqual(Severity.Notice);
    }
    for (const type of ['REFRESH_TOKEN', 'INTROSPECT_TOKEN', 'USER_INFO_REQUEST', 'CODE_TO_TOKEN']) {
      expect(describeUserEvent(type, false).severity, type).toBeLessThanOrEqual(Severity.Info);
    }
  });

  it('rates impersonation and lockouts above ordinary failures', () => {
    expect(describeUserEvent('IMPERSONATE', false).severity).toBe(Severity.Error);
    expect(describeUserEvent('USER_DISABLED_BY_TEMPORARY_LOCKOUT', false).severity).toBe(Severity.Error);
    expect(describeUserEvent('USER_DISABLED_BY_PERMANENT_LOCKOUT', false).severity).toBe(Severity.Critical);
    expect(describeUserEvent('USER_DISABLED_BY_PERMANENT_LOCKOUT_ERROR', true).severity).toBe(Severity.Critical);
  });

  it('describes a success type that carries an error as its _ERROR twin', () => {
    expect(describeUserEvent('LOGIN', true)).toEqual(describeUserEvent('LOGIN_ERROR', true));
  });

  it('gives a type from a newer Keycloak a generic Notice entry instead of failing', () => {
    expect(describeUserEvent('PASSKEY_ENROLL', false)).toEqual({
      signatureId: 'user_unknown_passkey_enroll',
      name: 'Unrecognised user event PASSKEY_ENROLL',
      category: 'unknown',
      severity: Severity.Notice,
    });
    expect(describeUserEvent('PASSKEY_ENROLL_ERROR', true).severity).toBe(Severity.Warning);
    expect(describeUserEvent('odd|type\n=x', false).signatureId).toBe('user_unknown_odd_type_x');
  });
});

describe('describeAdminEvent', () => {
  it('knows every Keycloak 26 operation and resource type', () => {
    expect(Object.keys(ADMIN_OPERATIONS).sort()).toEqual([...OPERATIONS].sort());
    expect(Object.keys(ADMIN_RESOURCE_CATALOG).sort()).toEqual([...KEYCLOAK_RESOURCE_TYPES].sort());
  });

  it('names an admin user creation admin_user_create', () => {
    expect(describeAdminEvent('CREATE', 'USER', false)).toEqual({
      signatureId: 'admin_user_create',
      name: 'Admin created user',
      category: 'admin-change',
      severity: Severity.Notice,
    });
    expect(describeAdminEvent('CREATE', 'USER', true)).toEqual({
      signatureId: 'admin_user_create_error',
      name: 'Admin failed to create user',
      category: 'admin-change',
      severity: Severity.Warning,
    });
  });

  it('rates deleting a realm Critical and role mappings Warning', () => {
    expect(describeAdminEvent('DELETE', 'REALM', false).severity).toBe(Severity.Critical);
    for (const op of OPERATIONS) {
      expect(describeAdminEvent(op, 'REALM_ROLE_MAPPING', false).severity, op).toBe(Severity.Warning);
      expect(describeAdminEvent(op, 'CLIENT_ROLE_MAPPING', false).severity, op).toBe(Severity.Warning);
    }
    // USER actions include password resets: a credential change.
    expect(describeAdminEvent('ACTION', 'USER', false).severity).toBe(Severity.Warning);
  });

  it('rates every admin change at least Notice, except cluster bookkeeping, and every error at least Warning', () => {
    for (const resource of KEYCLOAK_RESOURCE_TYPES) {
      for (const op of OPERATIONS) {
        const floor = resource === 'CLUSTER_NODE' ? Severity.Info : Severity.Notice;
        expect(describeAdminEvent(op, resource, false).severity, `${op} ${resource}`).toBeGreaterThanOrEqual(floor);
        expect(describeAdminEvent(op, resource, true).severity, `${op} ${resource}`).toBeGreaterThanOrEqual(Severity.Warning);
      }
    }
  });

  it('gives every operation x resource its own signature id', () => {
    const ids = KEYCLOAK_RESOURCE_TYPES.flatMap((resource) =>
      OPERATIONS.flatMap((op) => [false, true].map((failed) => describeAdminEvent(op, resource, failed).signatureId)),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives unknown or missing types a generic entry instead of failing', () => {
    expect(describeAdminEvent('CREATE', 'WORKFLOW', false)).toEqual({
      signatureId: 'admin_unknown_workflow_create',
      name: 'Admin created workflow',
      category: 'unknown',
      severity: Severity.Notice,
    });
    expect(describeAdminEvent('ARCHIVE', 'USER', true)).toMatchObject({
      signatureId: 'admin_unknown_user_archive_error',
      name: 'Admin failed to do archive on user',
      severity: Severity.Warning,
    });
    expect(describeAdminEvent('DELETE', null, false).signatureId).toBe('admin_unknown_resource_delete');
  });
});
