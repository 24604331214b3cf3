import { ADMIN_OPERATIONS, ADMIN_RESOURCE_CATALOG } from '../../pipeline/event-catalog.js';
import { ACCOUNT_CHANGE, API_ACTIVITY, AUTHENTICATION, ENTITY_MANAGEMENT, GROUP_MANAGEMENT, USER_ACCESS_MANAGEMENT } from './ocsf-classes.js';
import type { OcsfClass } from './ocsf-classes.js';

/** The OCSF class and activity of one kind of event. */
export interface OcsfClassification {
  readonly ocsfClass: OcsfClass;
  readonly activityId: number;
}

const OTHER = 99;
const UNKNOWN = 0;

function as(ocsfClass: OcsfClass, activityId: number): OcsfClassification {
  return { ocsfClass, activityId };
}

/**
 * Every user event type of the catalog (without `_ERROR`: a failure has its success's class and
 * activity, and `status_id` Failure). Logins, logouts, token and session traffic are
 * Authentication; what changes the account (profile, password, credentials, MFA, links to
 * identity providers, consents, lockouts) is Account Change; dynamic client registration and
 * cluster nodes change a managed entity. Activity 99 (Other) where the class has no activity
 * for it: a token refresh is neither a logon nor a logoff.
 */
export const USER_EVENT_CLASSES: Readonly<Record<string, OcsfClassification>> = {
  LOGIN: as(AUTHENTICATION, 1),
  LOGOUT: as(AUTHENTICATION, 2),
  CLIENT_LOGIN: as(AUTHENTICATION, 1),
  RESTART_AUTHENTICATION: as(AUTHENTICATION, OTHER),
  INVALID_SIGNATURE: as(AUTHENTICATION, OTHER),
  CODE_TO_TOKEN: as(AUTHENTICATION, OTHER),
  REFRESH_TOKEN: as(AUTHENTICATION, OTHER),
  INTROSPECT_TOKEN: as(AUTHENTICATION, OTHER),
  VALIDATE_ACCESS_TOKEN: as(AUTHENTICATION, OTHER),
  USER_INFO_REQUEST: as(AUTHENTICATION, OTHER),
  PUSHED_AUTHORIZATION_REQUEST: as(AUTHENTICATION, OTHER),
  PERMISSION_TOKEN: as(AUTHENTICATION, OTHER),
  AUTHREQID_TO_TOKEN: as(AUTHENTICATION, OTHER),
  OAUTH2_DEVICE_AUTH: as(AUTHENTICATION, OTHER),
  OAUTH2_DEVICE_VERIFY_USER_CODE: as(AUTHENTICATION, OTHER),
  OAUTH2_DEVICE_CODE_TO_TOKEN: as(AUTHENTICATION, OTHER),
  OAUTH2_EXTENSION_GRANT: as(AUTHENTICATION, OTHER),
  TOKEN_EXCHANGE: as(AUTHENTICATION, OTHER),
  IDENTITY_PROVIDER_LOGIN: as(AUTHENTICATION, 1),
  IDENTITY_PROVIDER_FIRST_LOGIN: as(AUTHENTICATION, 1),
  IDENTITY_PROVIDER_POST_LOGIN: as(AUTHENTICATION, OTHER),
  IDENTITY_PROVIDER_RESPONSE: as(AUTHENTICATION, OTHER),
  IDENTITY_PROVIDER_RETRIEVE_TOKEN: as(AUTHENTICATION, OTHER),
  // Account Switch with account_switch_type_id 2 (Impersonate): the event builder adds it.
  IMPERSONATE: as(AUTHENTICATION, 7),
  REGISTER: as(ACCOUNT_CHANGE, 1),
  UPDATE_PROFILE: as(ACCOUNT_CHANGE, OTHER),
  UPDATE_EMAIL: as(ACCOUNT_CHANGE, OTHER),
  VERIFY_EMAIL: as(ACCOUNT_CHANGE, OTHER),
  VERIFY_PROFILE: as(ACCOUNT_CHANGE, OTHER),
  SEND_VERIFY_EMAIL: as(ACCOUNT_CHANGE, OTHER),
  DELETE_ACCOUNT: as(ACCOUNT_CHANGE, 6),
  CUSTOM_REQUIRED_ACTION: as(ACCOUNT_CHANGE, OTHER),
  EXECUTE_ACTIONS: as(ACCOUNT_CHANGE, OTHER),
  EXECUTE_ACTION_TOKEN: as(ACCOUNT_CHANGE, OTHER),
  INVITE_ORG: as(ACCOUNT_CHANGE, OTHER),
  UPDATE_PASSWORD: as(ACCOUNT_CHANGE, 3),
  RESET_PASSWORD: as(ACCOUNT_CHANGE, 4),
  // The email only offers a reset; RESET_PASSWORD is the reset itself.
  SEND_RESET_PASSWORD: as(ACCOUNT_CHANGE, OTHER),
  UPDATE_TOTP: as(ACCOUNT_CHANGE, 10),
  // A credential may be a password, a passkey or an OTP device: the type alone does not say which.
  UPDATE_CREDENTIAL: as(ACCOUNT_CHANGE, OTHER),
  REMOVE_TOTP: as(ACCOUNT_CHANGE, 11),
  REMOVE_CREDENTIAL: as(ACCOUNT_CHANGE, OTHER),
  // A consent delegates the user's access to a client: the user's own privileges do not change.
  GRANT_CONSENT: as(ACCOUNT_CHANGE, OTHER),
  UPDATE_CONSENT: as(ACCOUNT_CHANGE, OTHER),
  REVOKE_GRANT: as(ACCOUNT_CHANGE, OTHER),
  IDENTITY_PROVIDER_LINK_ACCOUNT: as(ACCOUNT_CHANGE, OTHER),
  FEDERATED_IDENTITY_LINK: as(ACCOUNT_CHANGE, OTHER),
  FEDERATED_IDENTITY_OVERRIDE_LINK: as(ACCOUNT_CHANGE, OTHER),
  REMOVE_FEDERATED_IDENTITY: as(ACCOUNT_CHANGE, OTHER),
  SEND_IDENTITY_PROVIDER_LINK: as(ACCOUNT_CHANGE, OTHER),
  CLIENT_INITIATED_ACCOUNT_LINKING: as(ACCOUNT_CHANGE, OTHER),
  USER_DISABLED_BY_TEMPORARY_LOCKOUT: as(ACCOUNT_CHANGE, 9),
  USER_DISABLED_BY_PERMANENT_LOCKOUT: as(ACCOUNT_CHANGE, 9),
  CLIENT_INFO: as(ENTITY_MANAGEMENT, 2),
  CLIENT_REGISTER: as(ENTITY_MANAGEMENT, 1),
  CLIENT_UPDATE: as(ENTITY_MANAGEMENT, 3),
  CLIENT_DELETE: as(ENTITY_MANAGEMENT, 4),
  REGISTER_NODE: as(ENTITY_MANAGEMENT, 6),
  UNREGISTER_NODE: as(ENTITY_MANAGEMENT, 7),
};

type AdminOperation = keyof typeof ADMIN_OPERATIONS & ('CREATE' | 'UPDATE' | 'DELETE' | 'ACTION');

/** One admin resource type's class, and its activity per operation (99, Other, where none is given). */
interface AdminResourceClass {
  readonly ocsfClass: OcsfClass;
  readonly activities: Readonly<Partial<Record<AdminOperation, number>>>;
}

const ENTITY_CHANGE: AdminResourceClass = { ocsfClass: ENTITY_MANAGEMENT, activities: { CREATE: 1, UPDATE: 3, DELETE: 4 } };
const GROUP_CHANGE: AdminResourceClass = { ocsfClass: GROUP_MANAGEMENT, activities: { CREATE: 6, DELETE: 5 } };
const MEMBERSHIP_CHANGE: AdminResourceClass = { ocsfClass: GROUP_MANAGEMENT, activities: { CREATE: 3, DELETE: 4 } };
const ROLE_MAPPING_CHANGE: AdminResourceClass = { ocsfClass: USER_ACCESS_MANAGEMENT, activities: { CREATE: 1, DELETE: 2 } };

/**
 * The admin resource types that are not configuration of the realm: users (Account Change),
 * their sessions (Authentication: an admin deleting one logs the user off), groups, organizations
 * and their members (Group Management), role mappings (User Access Management). Every other
 * resource type of the catalog is a managed entity of the realm's configuration (Entity Management).
 */
const ADMIN_RESOURCE_CLASSES: Readonly<Record<string, AdminResourceClass>> = {
  USER: { ocsfClass: ACCOUNT_CHANGE, activities: { CREATE: 1, DELETE: 6 } },
  // Deleting a login failure record lifts the brute-force lockout it holds.
  USER_LOGIN_FAILURE: { ocsfClass: ACCOUNT_CHANGE, activities: { DELETE: 12 } },
  USER_SESSION: { ocsfClass: AUTHENTICATION, activities: { DELETE: 2 } },
  GROUP: GROUP_CHANGE,
  GROUP_MEMBERSHIP: MEMBERSHIP_CHANGE,
  ORGANIZATION_GROUP: GROUP_CHANGE,
  ORGANIZATION_MEMBERSHIP: MEMBERSHIP_CHANGE,
  ORGANIZATION_GROUP_MEMBERSHIP: MEMBERSHIP_CHANGE,
  REALM_ROLE_MAPPING: ROLE_MAPPING_CHANGE,
  CLIENT_ROLE_MAPPING: ROLE_MAPPING_CHANGE,
};

/**
 * The class and activity of a user event. A type the catalog does not know (a newer Keycloak)
 * is API Activity with activity 0 (Unknown): nothing narrower is known of it.
 */
export function classifyUserEvent(type: string): OcsfClassification {
  const success = type.endsWith('_ERROR') ? type.slice(0, -'_ERROR'.length) : type;
  return (Object.hasOwn(USER_EVENT_CLASSES, success) ? USER_EVENT_CLASSES[success] : undefined) ?? as(API_ACTIVITY, UNKNOWN);
}

function isAdminOperation(operation: string): operation is AdminOperation {
  return Object.hasOwn(ADMIN_OPERATIONS, operation);
}

/**
 * The class and activity of an admin event. `resourcePath` refines two cases the types alone
 * cannot tell: a role mapping given to a group is Group Management (Assign/Revoke Privileges, the
 * same activity ids), and the USER action at `users/<id>/reset-password` is a Password Reset.
 * Operations or resource types the catalog does not know are API Activity, by the operation's
 * CRUD verb where it has one.
 */
export function classifyAdminEvent(operation: string, resourceType: string | null | undefined, resourcePath?: string | null): OcsfClassification {
  const resource = resourceType ?? '';
  const known = isAdminOperation(operation) && Object.hasOwn(ADMIN_RESOURCE_CATALOG, resource);
  if (!known) {
    const crud = { CREATE: 1, UPDATE: 3, DELETE: 4 } as Readonly<Record<string, number>>;
    return as(API_ACTIVITY, Object.hasOwn(crud, operation) ? crud[operation]! : UNKNOWN);
  }
  const rule = (Object.hasOwn(ADMIN_RESOURCE_CLASSES, resource) ? ADMIN_RESOURCE_CLASSES[resource] : undefined) ?? ENTITY_CHANGE;
  const activityId = rule.activities[operation] ?? OTHER;
  if (rule.ocsfClass === USER_ACCESS_MANAGEMENT && resourcePath?.startsWith('groups/') === true) return as(GROUP_MANAGEMENT, activityId);
  if (resource === 'USER' && operation === 'ACTION' && resourcePath?.endsWith('/reset-password') === true) return as(ACCOUNT_CHANGE, 4);
  return as(rule.ocsfClass, activityId);
}

