import { atLeast, Severity } from './severity.js';
import type { SeverityLevel } from './severity.js';

/** What a SIEM rule can group events by. */
export type EventCategory =
  | 'authentication'
  | 'token'
  | 'account'
  | 'credential'
  | 'consent'
  | 'identity-provider'
  | 'client-registration'
  | 'lockout'
  | 'impersonation'
  | 'cluster'
  | 'admin-change'
  | 'unknown';

/** How one kind of event is presented to a SIEM: the CEF header's class id, name and severity. */
export interface EventDescription {
  /** The CEF Device Event Class ID, stable across releases: `user_login_error`, `admin_user_create`. */
  signatureId: string;
  /** A readable name: "User login failed". */
  name: string;
  category: EventCategory;
  severity: SeverityLevel;
}

/** One Keycloak user event type and its `_ERROR` twin. */
export interface UserEventEntry {
  category: EventCategory;
  /** Severity of the success event; the `_ERROR` twin gets at least Warning. */
  severity: SeverityLevel;
  name: string;
  failureName: string;
}

const { Critical, Warning, Notice, Info, Debug } = Severity;
// Not destructured as `Error`: that would shadow the global Error class in this module.
const ErrorLevel = Severity.Error;

/**
 * Every `org.keycloak.events.EventType` of Keycloak 26.x, without the `_ERROR` suffix: each type
 * has its `_ERROR` twin there. Severity rules: failures at least Warning; changes to a user, a
 * credential or a client at least Notice; routine token traffic Debug or Info.
 */
export const USER_EVENT_CATALOG: Readonly<Record<string, UserEventEntry>> = {
  LOGIN: { category: 'authentication', severity: Info, name: 'User logged in', failureName: 'User login failed' },
  LOGOUT: { category: 'authentication', severity: Info, name: 'User logged out', failureName: 'User logout failed' },
  REGISTER: { category: 'account', severity: Notice, name: 'User registered', failureName: 'User registration failed' },
  CLIENT_LOGIN: { category: 'authentication', severity: Info, name: 'Client logged in with its own credentials', failureName: 'Client login failed' },
  RESTART_AUTHENTICATION: { category: 'authentication', severity: Debug, name: 'Authentication flow restarted', failureName: 'Authentication flow restart failed' },
  // An assertion signed with a wrong key is a failure even when Keycloak files it without _ERROR.
  INVALID_SIGNATURE: { category: 'authentication', severity: Warning, name: 'Invalid signature received', failureName: 'Invalid signature rejected' },
  CODE_TO_TOKEN: { category: 'token', severity: Info, name: 'Authorization code exchanged for tokens', failureName: 'Authorization code exchange failed' },
  REFRESH_TOKEN: { category: 'token', severity: Debug, name: 'Token refreshed', failureName: 'Token refresh failed' },
  INTROSPECT_TOKEN: { category: 'token', severity: Debug, name: 'Token introspected', failureName: 'Token introspection failed' },
  VALIDATE_ACCESS_TOKEN: { category: 'token', severity: Debug, name: 'Access token validated', failureName: 'Access token validation failed' },
  USER_INFO_REQUEST: { category: 'token', severity: Debug, name: 'User info requested', failureName: 'User info request failed' },
  PUSHED_AUTHORIZATION_REQUEST: { category: 'token', severity: Debug, name: 'Pushed authorization request received', failureName: 'Pushed authorization request failed' },
  PERMISSION_TOKEN: { category: 'token', severity: Info, name: 'Permission token issued', failureName: 'Permission token request failed' },
  AUTHREQID_TO_TOKEN: { category: 'token', severity: Info, name: 'Backchannel authentication request exchanged for tokens', failureName: 'Backchannel authentication token request failed' },
  OAUTH2_DEVICE_AUTH: { category: 'token', severity: Info, name: 'Device authorization started', failureName: 'Device authorization failed' },
  OAUTH2_DEVICE_VERIFY_USER_CODE: { category: 'token', severity: Info, name: 'Device user code verified', failureName: 'Device user code verification failed' },
  OAUTH2_DEVICE_CODE_TO_TOKEN: { category: 'token', severity: Info, name: 'Device code exchanged for tokens', failureName: 'Device code exchange failed' },
  OAUTH2_EXTENSION_GRANT: { category: 'token', severity: Info, name: 'Extension grant exchanged for tokens', failureName: 'Extension grant failed' },
  // A client obtains tokens for another subject or audience: rarer and more powerful than a refresh.
  TOKEN_EXCHANGE: { category: 'token', severity: Notice, name: 'Token exchanged', failureName: 'Token exchange failed' },
  UPDATE_PROFILE: { category: 'account', severity: Notice, name: 'User profile updated', failureName: 'User profile update failed' },
  UPDATE_EMAIL: { category: 'account', severity: Notice, name: 'User email updated', failureName: 'User email update failed' },
  VERIFY_EMAIL: { category: 'account', severity: Info, name: 'User email verified', failureName: 'User email verification failed' },
  VERIFY_PROFILE: { category: 'account', severity: Info, name: 'User profile verified', failureName: 'User profile verification failed' },
  SEND_VERIFY_EMAIL: { category: 'account', severity: Info, name: 'Verification email sent', failureName: 'Verification email could not be sent' },
  DELETE_ACCOUNT: { category: 'account', severity: Warning, name: 'User deleted own account', failureName: 'User account deletion failed' },
  CUSTOM_REQUIRED_ACTION: { category: 'account', severity: Notice, name: 'Custom required action completed', failureName: 'Custom required action failed' },
  EXECUTE_ACTIONS: { category: 'account', severity: Notice, name: 'Required actions email sent to user', failureName: 'Required actions email failed' },
  EXECUTE_ACTION_TOKEN: { category: 'account', severity: Notice, name: 'Action token executed', failureName: 'Action token execution failed' },
  INVITE_ORG: { category: 'account', severity: Notice, name: 'User invited to organization', failureName: 'Organization invitation failed' },
  UPDATE_PASSWORD: { category: 'credential', severity: Notice, name: 'User password updated', failureName: 'User password update failed' },
  RESET_PASSWORD: { category: 'credential', severity: Notice, name: 'User password reset', failureName: 'User password reset failed' },
  SEND_RESET_PASSWORD: { category: 'credential', severity: Notice, name: 'Password reset email sent', failureName: 'Password reset email could not be sent' },
  UPDATE_TOTP: { category: 'credential', severity: Notice, name: 'User OTP authenticator updated', failureName: 'User OTP authenticator update failed' },
  UPDATE_CREDENTIAL: { category: 'credential', severity: Notice, name: 'User credential updated', failureName: 'User credential update failed' },
  // Removing a second factor weakens the account: worth a look even when it succeeds.
  REMOVE_TOTP: { category: 'credential', severity: Warning, name: 'User OTP authenticator removed', failureName: 'User OTP authenticator removal failed' },
  REMOVE_CREDENTIAL: { category: 'credential', severity: Warning, name: 'User credential removed', failureName: 'User credential removal failed' },
  GRANT_CONSENT: { category: 'consent', severity: Notice, name: 'User granted consent to a client', failureName: 'Consent grant failed' },
  UPDATE_CONSENT: { category: 'consent', severity: Notice, name: 'User consent updated', failureName: 'Consent update failed' },
  REVOKE_GRANT: { category: 'consent', severity: Notice, name: 'User revoked a client grant', failureName: 'Grant revocation failed' },
  IDENTITY_PROVIDER_LOGIN: { category: 'identity-provider', severity: Info, name: 'User logged in through an identity provider', failureName: 'Identity provider login failed' },
  IDENTITY_PROVIDER_FIRST_LOGIN: { category: 'identity-provider', severity: Notice, name: 'First login through an identity provider', failureName: 'First identity provider login failed' },
  IDENTITY_PROVIDER_POST_LOGIN: { category: 'identity-provider', severity: Info, name: 'Identity provider post-login flow completed', failureName: 'Identity provider post-login flow failed' },
  IDENTITY_PROVIDER_RESPONSE: { category: 'identity-provider', severity: Debug, name: 'Identity provider response received', failureName: 'Identity provider response rejected' },
  IDENTITY_PROVIDER_RETRIEVE_TOKEN: { category: 'identity-provider', severity: Info, name: 'Identity provider token retrieved', failureName: 'Identity provider token retrieval failed' },
  IDENTITY_PROVIDER_LINK_ACCOUNT: { category: 'identity-provider', severity: Notice, name: 'Account linked to an identity provider', failureName: 'Identity provider account linking failed' },
  FEDERATED_IDENTITY_LINK: { category: 'identity-provider', severity: Notice, name: 'Federated identity linked', failureName: 'Federated identity link failed' },
  // Replacing an existing link hands the account to another external identity.
  FEDERATED_IDENTITY_OVERRIDE_LINK: { category: 'identity-provider', severity: Warning, name: 'Federated identity link overridden', failureName: 'Federated identity link override failed' },
  REMOVE_FEDERATED_IDENTITY: { category: 'identity-provider', severity: Notice, name: 'Federated identity removed', failureName: 'Federated identity removal failed' },
  SEND_IDENTITY_PROVIDER_LINK: { category: 'identity-provider', severity: Info, name: 'Identity provider link email sent', failureName: 'Identity provider link email could not be sent' },
  CLIENT_INITIATED_ACCOUNT_LINKING: { category: 'identity-provider', severity: Notice, name: 'Client-initiated account linking completed', failureName: 'Client-initiated account linking failed' },
  CLIENT_INFO: { category: 'client-registration', severity: Debug, name: 'Client registration read', failureName: 'Client registration read failed' },
  CLIENT_REGISTER: { category: 'client-registration', severity: Notice, name: 'Client registered dynamically', failureName: 'Dynamic client registration failed' },
  CLIENT_UPDATE: { category: 'client-registration', severity: Notice, name: 'Client updated through registration', failureName: 'Client registration update failed' },
  CLIENT_DELETE: { category: 'client-registration', severity: Warning, name: 'Client deleted through registration', failureName: 'Client registration delete failed' },
  REGISTER_NODE: { category: 'cluster', severity: Info, name: 'Cluster node registered', failureName: 'Cluster node registration failed' },
  UNREGISTER_NODE: { category: 'cluster', severity: Info, name: 'Cluster node unregistered', failureName: 'Cluster node unregistration failed' },
  // Someone acts as the user without the user's credentials: every use deserves review (Error).
  IMPERSONATE: { category: 'impersonation', severity: ErrorLevel, name: 'User impersonated', failureName: 'User impersonation failed' },
  // Brute-force protection tripped: someone is guessing this user's password right now (Error);
  // a permanent lockout also denies the real user until an admin acts (Critical).
  USER_DISABLED_BY_TEMPORARY_LOCKOUT: { category: 'lockout', severity: ErrorLevel, name: 'User temporarily locked out', failureName: 'Temporary lockout failed' },
  USER_DISABLED_BY_PERMANENT_LOCKOUT: { category: 'lockout', severity: Critical, name: 'User permanently locked out', failureName: 'Permanent lockout failed' },
};

const ERROR_SUFFIX = '_ERROR';

function buildUserDescriptions(): Map<string, EventDescription> {
  const descriptions = new Map<string, EventDescription>();
  for (const [type, entry] of Object.entries(USER_EVENT_CATALOG)) {
    const id = type.toLowerCase();
    descriptions.set(type, { signatureId: `user_${id}`, name: entry.name, category: entry.category, severity: entry.severity });
    descriptions.set(type + ERROR_SUFFIX, {
      signatureId: `user_${id}_error`,
      name: entry.failureName,
      category: entry.category,
      severity: atLeast(entry.severity, Warning),
    });
  }
  return descriptions;
}

// Built once: the forwarder looks every event up here.
const USER_DESCRIPTIONS = buildUserDescriptions();

/** Every user event type the catalog knows, `_ERROR` twins included, in catalog order. */
export function knownUserEventTypes(): string[] {
  return [...USER_DESCRIPTIONS.keys()];
}

/** Upper-case word characters only: a type from a newer Keycloak becomes a clean identifier. */
export function identifierOf(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
}

/**
 * How a user event of `type` is presented. A success type that carries an error is described
 * as its `_ERROR` twin. Types this catalog does not know (a newer Keycloak) get a generic
 * Notice entry, `user_unknown_<type>` (Warning when failed), instead of failing the delivery.
 */
export function describeUserEvent(type: string, hasError: boolean): EventDescription {
  const failed = hasError && !type.endsWith(ERROR_SUFFIX) ? type + ERROR_SUFFIX : type;
  const known = USER_DESCRIPTIONS.get(failed);
  if (known) return known;
  const id = identifierOf(type);
  const isFailure = hasError || id.endsWith(ERROR_SUFFIX);
  return {
    signatureId: `user_unknown_${id.toLowerCase()}`,
    name: `Unrecognised user event ${id}`,
    category: 'unknown',
    severity: isFailure ? Warning : Notice,
  };
}

/** Keycloak's admin `OperationType`s, with the words their event names use. */
export const ADMIN_OPERATIONS: Readonly<Record<string, { past: string; infinitive: string }>> = {
  CREATE: { past: 'created', infinitive: 'create' },
  UPDATE: { past: 'updated', infinitive: 'update' },
  DELETE: { past: 'deleted', infinitive: 'delete' },
  ACTION: { past: 'performed an action on', infinitive: 'perform an action on' },
};

/** One admin `ResourceType`: what it is called and how severe each operation on it is. */
export interface AdminResourceEntry {
  noun: string;
  severity: Readonly<Record<'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION', SeverityLevel>>;
}

function resource(noun: string, create: SeverityLevel, update = create, del = update, action = update): AdminResourceEntry {
  return { noun, severity: { CREATE: create, UPDATE: update, DELETE: del, ACTION: action } };
}

/**
 * Every `org.keycloak.events.admin.ResourceType` of Keycloak 26.x. Every admin change is at least
 * Notice; grants of privileges (role mappings, group membership, which carries roles), credentials
 * (USER actions include password resets; CLIENT actions include secret rotation) and the ways in
 * (identity providers, authentication flows, federation) are Warning; deleting a realm is Critical.
 */
export const ADMIN_RESOURCE_CATALOG: Readonly<Record<string, AdminResourceEntry>> = {
  REALM: resource('realm', Warning, Warning, Critical, Warning),
  REALM_ROLE: resource('realm role', Notice, Notice, Warning, Notice),
  REALM_ROLE_MAPPING: resource('realm role mapping', Warning),
  REALM_SCOPE_MAPPING: resource('realm scope mapping', Notice),
  AUTH_FLOW: resource('authentication flow', Notice, Warning, Warning, Notice),
  AUTH_EXECUTION_FLOW: resource('authentication sub-flow', Notice, Warning, Warning, Notice),
  AUTH_EXECUTION: resource('authentication execution', Notice, Warning, Warning, Notice),
  AUTHENTICATOR_CONFIG: resource('authenticator configuration', Notice, Warning, Warning, Notice),
  REQUIRED_ACTION: resource('required action', Notice, Warning, Warning, Notice),
  REQUIRED_ACTION_CONFIG: resource('required action configuration', Notice, Warning, Warning, Notice),
  IDENTITY_PROVIDER: resource('identity provider', Warning, Warning, Warning, Notice),
  IDENTITY_PROVIDER_MAPPER: resource('identity provider mapper', Notice),
  PROTOCOL_MAPPER: resource('protocol mapper', Notice),
  USER: resource('user', Notice, Notice, Warning, Warning),
  USER_LOGIN_FAILURE: resource('user login failure record', Notice),
  USER_SESSION: resource('user session', Notice),
  USER_FEDERATION_PROVIDER: resource('user federation provider', Warning, Warning, Warning, Notice),
  USER_FEDERATION_MAPPER: resource('user federation mapper', Notice),
  USER_PROFILE: resource('user profile configuration', Notice),
  GROUP: resource('group', Notice, Notice, Warning, Notice),
  GROUP_MEMBERSHIP: resource('group membership', Warning),
  CLIENT: resource('client', Notice, Notice, Warning, Warning),
  CLIENT_INITIAL_ACCESS_MODEL: resource('client initial access token', Warning, Notice, Notice, Notice),
  CLIENT_ROLE: resource('client role', Notice, Notice, Warning, Notice),
  CLIENT_ROLE_MAPPING: resource('client role mapping', Warning),
  CLIENT_SCOPE: resource('client scope', Notice),
  CLIENT_SCOPE_MAPPING: resource('client scope mapping', Notice),
  CLIENT_SCOPE_CLIENT_MAPPING: resource('client scope assignment', Notice),
  CLUSTER_NODE: resource('cluster node', Info),
  COMPONENT: resource('component', Notice, Notice, Warning, Notice),
  AUTHORIZATION_RESOURCE_SERVER: resource('authorization resource server', Notice),
  AUTHORIZATION_RESOURCE: resource('authorization resource', Notice),
  AUTHORIZATION_SCOPE: resource('authorization scope', Notice),
  AUTHORIZATION_POLICY: resource('authorization policy', Notice, Warning, Warning, Notice),
  CUSTOM: resource('custom resource', Notice),
  ORGANIZATION: resource('organization', Notice, Notice, Warning, Notice),
  ORGANIZATION_MEMBERSHIP: resource('organization membership', Notice),
  ORGANIZATION_GROUP: resource('organization group', Notice),
  ORGANIZATION_GROUP_MEMBERSHIP: resource('organization group membership', Notice),
};

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeAdmin(operation: string, resourceType: string, hasError: boolean): EventDescription {
  const op = ADMIN_OPERATIONS[operation];
  const entry = ADMIN_RESOURCE_CATALOG[resourceType];
  const opId = identifierOf(operation).toLowerCase();
  const resourceId = identifierOf(resourceType).toLowerCase();
  const noun = entry?.noun ?? (resourceId.replace(/_/g, ' ') || 'unknown resource');
  const verbs = op ?? { past: `did ${opId.replace(/_/g, ' ')} on`, infinitive: `do ${opId.replace(/_/g, ' ')} on` };
  const known = op !== undefined && entry !== undefined;
  const base = known ? entry.severity[operation as keyof AdminResourceEntry['severity']] : Notice;
  const prefix = known ? `admin_${resourceId}_${opId}` : `admin_unknown_${resourceId || 'resource'}_${opId}`;
  return {
    signatureId: hasError ? `${prefix}_error` : prefix,
    name: capitalised(hasError ? `admin failed to ${verbs.infinitive} ${noun}` : `admin ${verbs.past} ${noun}`),
    category: known ? 'admin-change' : 'unknown',
    severity: hasError ? atLeast(base, Warning) : base,
  };
}

function buildAdminDescriptions(): Map<string, EventDescription> {
  const descriptions = new Map<string, EventDescription>();
  for (const resourceType of Object.keys(ADMIN_RESOURCE_CATALOG)) {
    for (const operation of Object.keys(ADMIN_OPERATIONS)) {
      for (const hasError of [false, true]) {
        descriptions.set(`${operation}|${resourceType}|${hasError}`, describeAdmin(operation, resourceType, hasError));
      }
    }
  }
  return descriptions;
}

const ADMIN_DESCRIPTIONS = buildAdminDescriptions();

/**
 * How an admin event is presented: severity from operation x resource, at least Warning when the
 * event carries an error. Unknown operation or resource types (a newer Keycloak) get a generic
 * Notice entry, `admin_unknown_<resource>_<operation>`, instead of failing the delivery.
 */
export function describeAdminEvent(
  operationType: string,
  resourceType: string | null | undefined,
  hasError: boolean,
): EventDescription {
  const resource = resourceType ?? '';
  return ADMIN_DESCRIPTIONS.get(`${operationType}|${resource}|${hasError}`) ?? describeAdmin(operationType, resource, hasError);
}
