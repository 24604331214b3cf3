import { describeUserEvent } from '../../pipeline/event-catalog.js';

/** ECS's categorization fields of one event (`event.category`, `event.type`): the allowed values, docs/siems.md. */
export interface EcsCategorization {
  category: string[];
  type: string[];
}

const ERROR_SUFFIX = '_ERROR';

// Identity-provider events that change which external identities an account is linked to: they
// change the user, where the other identity-provider events are logins.
const ACCOUNT_LINKING = new Set([
  'IDENTITY_PROVIDER_LINK_ACCOUNT',
  'FEDERATED_IDENTITY_LINK',
  'FEDERATED_IDENTITY_OVERRIDE_LINK',
  'REMOVE_FEDERATED_IDENTITY',
  'SEND_IDENTITY_PROVIDER_LINK',
  'CLIENT_INITIATED_ACCOUNT_LINKING',
]);

// What is created or deleted, where the catalog's category alone says only "a change".
const CREATES = new Set(['REGISTER', 'CLIENT_REGISTER', 'REGISTER_NODE']);
const DELETES = new Set(['DELETE_ACCOUNT', 'CLIENT_DELETE', 'UNREGISTER_NODE']);

function iamUserChange(base: string): EcsCategorization {
  // An email sent (a verification, a reset link, required actions) changes nothing yet.
  const change = CREATES.has(base) ? 'creation' : DELETES.has(base) ? 'deletion' : base.startsWith('SEND_') || base === 'EXECUTE_ACTIONS' ? 'info' : 'change';
  return { category: ['iam'], type: ['user', change] };
}

/**
 * A user event's categories: logins, logouts, tokens, lockouts and impersonation are
 * `authentication` (`info`, with `start` for LOGIN and `end` for LOGOUT, as Elastic's Keycloak
 * integration writes them); account, credential, consent and account-linking events change the
 * user (`iam`); dynamic client registration and cluster nodes change the server's `configuration`.
 */
export function userEventCategorization(type: string): EcsCategorization {
  const base = type.endsWith(ERROR_SUFFIX) ? type.slice(0, -ERROR_SUFFIX.length) : type;
  switch (describeUserEvent(base, false).category) {
    case 'account':
    case 'credential':
    case 'consent':
      return iamUserChange(base);
    case 'identity-provider':
      return ACCOUNT_LINKING.has(base) ? iamUserChange(base) : { category: ['authentication'], type: ['info'] };
    case 'client-registration':
    case 'cluster':
      return { category: ['configuration'], type: [base === 'CLIENT_INFO' ? 'access' : CREATES.has(base) ? 'creation' : DELETES.has(base) ? 'deletion' : 'change'] };
    default:
      return { category: ['authentication'], type: type === 'LOGIN' ? ['info', 'start'] : type === 'LOGOUT' ? ['info', 'end'] : ['info'] };
  }
}

const OPERATION_TYPES: Readonly<Record<string, string>> = { CREATE: 'creation', UPDATE: 'change', DELETE: 'deletion', ACTION: 'change' };
const USER_RESOURCES = new Set(['USER', 'USER_SESSION', 'USER_LOGIN_FAILURE']);
const ROLE_MAPPINGS = new Set(['REALM_ROLE_MAPPING', 'CLIENT_ROLE_MAPPING']);

/**
 * An admin event's categories: `iam`, `admin`, what the operation did (creation, change,
 * deletion; an ACTION, such as a password reset, is a change) and whom it concerns: `user` for a
 * user, its sessions and its role mappings, `group` for a group and its role mappings, both for a
 * group membership.
 */
export function adminEventCategorization(operation: string, resourceType: string | undefined, resourcePath: string | undefined): EcsCategorization {
  const type = ['admin', OPERATION_TYPES[operation] ?? 'info'];
  if (resourceType === undefined) return { category: ['iam'], type };
  const onPath = ROLE_MAPPINGS.has(resourceType) ? resourcePath?.split('/')[0] : undefined;
  if (USER_RESOURCES.has(resourceType) || onPath === 'users') type.push('user');
  else if (resourceType === 'GROUP' || onPath === 'groups') type.push('group');
  else if (resourceType === 'GROUP_MEMBERSHIP') type.push('group', 'user');
  return { category: ['iam'], type };
}
