import type { AdminEvent } from '../../lib/core/events/event-schemas.js';
import { APP_CLIENT_IDS, SERVICE_CLIENT_IDS, fakeClientSecret, fakeIpAddress, fakePassword, fakePerson, nameUuid, realmIdFor } from './fake-identities.js';
import type { FakePerson } from './fake-identities.js';
import type { Random } from './random.js';

/** Who performed an admin operation: Keycloak's `authDetails`. */
export interface FakeAdmin {
  realmId: string;
  /** The internal id (UUID) of the client the admin used, e.g. security-admin-console. */
  clientId: string;
  userId: string;
  ipAddress: string;
}

/** What to generate an admin event for; anything left out is drawn from the random source. */
export interface AdminEventOptions {
  /** The realm's internal id (see `realmIdFor`). */
  realmId: string;
  /** Epoch milliseconds the event happened at. */
  time: number;
  /** One of ADMIN_OPERATION_WEIGHTS' names, to force a kind of operation. */
  operation?: AdminOperationName;
  /** The person the operation is about (for user operations). */
  person?: FakePerson;
  admin?: FakeAdmin;
  /** Whether to include `id` (Keycloak >= 26.2 sends one); default true. */
  withId?: boolean;
}

interface Operation {
  operationType: 'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION';
  resourceType: string;
  resourcePath: string;
  /** The request body, as Keycloak records it with "include representation" on. */
  body?: unknown;
}

/** The kinds of admin operations generated, with how often each occurs. */
export const ADMIN_OPERATION_WEIGHTS = [
  ['create-user', 6], ['update-user', 6], ['delete-user', 2], ['reset-password', 3], ['logout-user', 1],
  ['execute-actions-email', 1], ['delete-session', 4], ['add-realm-role', 2], ['remove-realm-role', 1],
  ['add-client-role', 2], ['remove-client-role', 1], ['join-group', 2], ['leave-group', 1],
  ['create-client', 1.5], ['update-client', 1.5], ['regenerate-secret', 0.5], ['delete-client', 0.5],
  ['create-client-scope', 0.5], ['update-client-scope', 0.5], ['create-group', 1], ['update-realm', 0.5],
  ['update-events-config', 0.5], ['create-realm-role', 0.5],
] as const satisfies ReadonlyArray<readonly [string, number]>;

/**
 * Operations whose representation carries a secret Keycloak records in clear (or masks), each
 * cited in docs/secrets-in-events.md. Generated only when asked for (`operation`): drawing them at
 * random would change the seeded traffic every test and the demo replay.
 */
export const ON_REQUEST_ADMIN_OPERATIONS = ['update-saml-client', 'invalidate-rotated-secret', 'create-recaptcha-config', 'create-ldap-provider'] as const;

/** One of the generated admin operation kinds. */
export type AdminOperationName = (typeof ADMIN_OPERATION_WEIGHTS)[number][0] | (typeof ON_REQUEST_ADMIN_OPERATIONS)[number];

const REALM_ROLES = ['view-events', 'offline_access', 'uma_authorization', 'auditor', 'support-agent'] as const;
const CLIENT_ROLES = ['view-users', 'manage-users', 'view-events', 'query-groups', 'view-clients'] as const;
const GROUPS = ['ops', 'finance', 'support', 'engineering', 'contractors'] as const;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A user body as the admin console sends it: personal data, sometimes an initial password. */
function userBody(random: Random, person: FakePerson, withId: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...(withId ? { id: person.userId } : {}),
    username: person.username, email: person.email, firstName: person.firstName, lastName: person.lastName,
    enabled: true, emailVerified: random.chance(0.5), requiredActions: random.chance(0.3) ? ['VERIFY_EMAIL'] : [],
    attributes: random.chance(0.4) ? { phoneNumber: [`+1 514 555 ${String(random.int(0, 9999)).padStart(4, '0')}`] } : {},
  };
  if (!withId) body['groups'] = [];
  if (random.chance(0.4)) body['credentials'] = [{ type: 'password', value: fakePassword(random), temporary: false }];
  return body;
}

function roleBody(random: Random, name: string, clientRole: boolean, containerId: string): unknown[] {
  return [{ id: random.uuid(), name, description: `\${role_${name}}`, composite: false, clientRole, containerId }];
}

function clientBody(random: Random, clientId: string, id?: string): Record<string, unknown> {
  const service = (SERVICE_CLIENT_IDS as readonly string[]).includes(clientId);
  return {
    ...(id ? { id } : {}), clientId, name: clientId, enabled: true, protocol: 'openid-connect',
    publicClient: false, clientAuthenticatorType: 'client-secret', secret: fakeClientSecret(random),
    serviceAccountsEnabled: service, standardFlowEnabled: !service,
    redirectUris: service ? [] : [`https://${clientId}.example.com/*`], webOrigins: service ? [] : ['+'],
  };
}

/** Path, types and body of one operation kind, following Keycloak's admin REST resources. */
function operationOf(name: AdminOperationName, random: Random, person: FakePerson, realmId: string): Operation {
  const user = `users/${person.userId}`;
  const clientName = random.pick([...APP_CLIENT_IDS, ...SERVICE_CLIENT_IDS]);
  const clientUuid = nameUuid('client', realmId, clientName);
  const group = random.pick(GROUPS);
  const groupBody = { id: nameUuid('group', realmId, group), name: group, path: `/${group}` };
  switch (name) {
    case 'create-user': return { operationType: 'CREATE', resourceType: 'USER', resourcePath: user, body: userBody(random, person, false) };
    case 'update-user': return { operationType: 'UPDATE', resourceType: 'USER', resourcePath: user, body: userBody(random, person, true) };
    case 'delete-user': return { operationType: 'DELETE', resourceType: 'USER', resourcePath: user };
    case 'reset-password':
      return { operationType: 'ACTION', resourceType: 'USER', resourcePath: `${user}/reset-password`, body: { type: 'password', value: fakePassword(random), temporary: true } };
    case 'logout-user': return { operationType: 'ACTION', resourceType: 'USER', resourcePath: `${user}/logout` };
    case 'execute-actions-email':
      return { operationType: 'ACTION', resourceType: 'USER', resourcePath: `${user}/execute-actions-email`, body: ['UPDATE_PASSWORD', 'VERIFY_EMAIL'] };
    case 'delete-session': return { operationType: 'DELETE', resourceType: 'USER_SESSION', resourcePath: `sessions/${random.uuid()}` };
    case 'add-realm-role':
    case 'remove-realm-role':
      return {
        operationType: name === 'add-realm-role' ? 'CREATE' : 'DELETE', resourceType: 'REALM_ROLE_MAPPING',
        resourcePath: `${user}/role-mappings/realm`, body: roleBody(random, random.pick(REALM_ROLES), false, realmId),
      };
    case 'add-client-role':
    case 'remove-client-role':
      return {
        operationType: name === 'add-client-role' ? 'CREATE' : 'DELETE', resourceType: 'CLIENT_ROLE_MAPPING',
        resourcePath: `${user}/role-mappings/clients/${clientUuid}`, body: roleBody(random, random.pick(CLIENT_ROLES), true, clientUuid),
      };
    case 'join-group':
    case 'leave-group':
      return {
        operationType: name === 'join-group' ? 'CREATE' : 'DELETE', resourceType: 'GROUP_MEMBERSHIP',
        resourcePath: `${user}/groups/${groupBody.id}`, body: groupBody,
      };
    case 'create-client': return { operationType: 'CREATE', resourceType: 'CLIENT', resourcePath: `clients/${clientUuid}`, body: clientBody(random, clientName) };
    case 'update-client':
      return { operationType: 'UPDATE', resourceType: 'CLIENT', resourcePath: `clients/${clientUuid}`, body: clientBody(random, clientName, clientUuid) };
    case 'regenerate-secret':
      return { operationType: 'ACTION', resourceType: 'CLIENT', resourcePath: `clients/${clientUuid}/client-secret`, body: { type: 'secret', value: fakeClientSecret(random) } };
    case 'delete-client': return { operationType: 'DELETE', resourceType: 'CLIENT', resourcePath: `clients/${clientUuid}` };
    case 'create-client-scope':
    case 'update-client-scope': {
      const id = random.uuid();
      return {
        operationType: name === 'create-client-scope' ? 'CREATE' : 'UPDATE', resourceType: 'CLIENT_SCOPE', resourcePath: `client-scopes/${id}`,
        body: { id, name: random.pick(['audit', 'phone', 'partner-api']), protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' } },
      };
    }
    case 'create-group': return { operationType: 'CREATE', resourceType: 'GROUP', resourcePath: `groups/${groupBody.id}`, body: { name: group } };
    case 'update-realm':
      // The console sends the SMTP password back masked; Keycloak records what was sent.
      return {
        operationType: 'UPDATE', resourceType: 'REALM', resourcePath: '',
        body: { id: realmId, enabled: true, bruteForceProtected: true, smtpServer: { host: 'smtp.example.com', from: 'noreply@example.com', user: 'mailer', password: '**********' } },
      };
    case 'update-events-config':
      return {
        operationType: 'UPDATE', resourceType: 'REALM', resourcePath: 'events/config',
        body: { eventsEnabled: true, eventsExpiration: 2592000, eventsListeners: ['jboss-logging'], adminEventsEnabled: true, adminEventsDetailsEnabled: true },
      };
    case 'update-saml-client': {
      // SamlConfigAttributes' private-key attributes; Keycloak keeps them in the event until 26.8 (keycloak#51241).
      const samlUuid = nameUuid('client', realmId, 'saml-sp');
      return {
        operationType: 'UPDATE', resourceType: 'CLIENT', resourcePath: `clients/${samlUuid}`,
        body: {
          id: samlUuid, clientId: 'https://sp.example.com/saml/metadata', protocol: 'saml', enabled: true, frontchannelLogout: true,
          attributes: {
            'saml.signing.certificate': `MIIC${random.text(60, BASE64)}`, 'saml.signing.private.key': `MIIEow${random.text(120, BASE64)}`,
            'saml.encryption.private.key': `MIIEpA${random.text(120, BASE64)}`, 'saml.signature.algorithm': 'RSA_SHA256',
            'saml.client.signature': 'true', 'saml_force_name_id_format': 'false', 'client_credentials.use_refresh_token': 'false',
          },
        },
      };
    }
    case 'invalidate-rotated-secret':
      // ClientResource.invalidateRotatedSecret records the invalidated secret (keycloak#50853).
      return { operationType: 'DELETE', resourceType: 'CLIENT', resourcePath: `clients/${clientUuid}/client-secret/rotated`, body: { type: 'secret', value: fakeClientSecret(random) } };
    case 'create-recaptcha-config': {
      // StripSecretsUtils has no formatter for AuthenticatorConfigRepresentation: `secret.key` stays (keycloak#52730).
      const execution = random.uuid();
      return {
        operationType: 'CREATE', resourceType: 'AUTHENTICATOR_CONFIG', resourcePath: `authentication/executions/${execution}/config/${random.uuid()}`,
        body: { alias: 'recaptcha', config: { 'site.key': `6Lc${random.text(37)}`, 'secret.key': `6Lc${random.text(37)}`, useRecaptchaNet: 'false' } },
      };
    }
    case 'create-ldap-provider': {
      // A ComponentRepresentation: config is a MultivaluedHashMap (lists); StripSecretsUtils.stripComponent
      // masks the provider's secret properties, bindCredential among them (Keycloak 24 on, keycloak#21562).
      const id = nameUuid('component', realmId, 'ldap');
      return {
        operationType: 'CREATE', resourceType: 'COMPONENT', resourcePath: `components/${id}`,
        body: {
          id, name: 'ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider', parentId: realmId,
          config: {
            vendor: ['ad'], connectionUrl: ['ldaps://ldap.example.org:636'], bindDn: ['cn=svc-keycloak,ou=services,dc=example,dc=org'],
            bindCredential: ['**********'], usersDn: ['ou=people,dc=example,dc=org'], editMode: ['READ_ONLY'], enabled: ['true'],
            allowKerberosAuthentication: ['false'], useKerberosForPasswordAuthentication: ['false'],
          },
        },
      };
    }
    case 'create-realm-role': {
      const role = random.pick(REALM_ROLES);
      return { operationType: 'CREATE', resourceType: 'REALM_ROLE', resourcePath: `roles/${role}`, body: { name: role, description: '' } };
    }
  }
}

/** An admin acting from the master realm's console (the usual case) or the realm's own. */
export function fakeAdmin(random: Random, realmId: string): FakeAdmin {
  const authRealmId = random.chance(0.7) ? realmIdFor('master') : realmId;
  return { realmId: authRealmId, clientId: nameUuid('client', authRealmId, 'security-admin-console'), userId: random.uuid(), ipAddress: fakeIpAddress(random) };
}

/**
 * One admin event as `GET /admin/realms/{realm}/admin-events` returns it, with `representation`
 * the request body as a JSON string, personal data and plaintext credentials included, as
 * Keycloak records it when admin event details are on. Deletes and plain actions carry none.
 */
export function generateAdminEvent(random: Random, options: AdminEventOptions): AdminEvent {
  const name = options.operation ?? random.weighted(ADMIN_OPERATION_WEIGHTS);
  const id = random.uuid();
  const person = options.person ?? fakePerson(random);
  const admin = options.admin ?? fakeAdmin(random, options.realmId);
  const operation = operationOf(name, random, person, options.realmId);
  const event: AdminEvent = {
    ...(options.withId === false ? {} : { id }),
    time: options.time,
    realmId: options.realmId,
    authDetails: { ...admin },
    operationType: operation.operationType,
    resourceType: operation.resourceType,
    resourcePath: operation.resourcePath,
  };
  if (operation.body !== undefined) event.representation = JSON.stringify(operation.body);
  return event;
}
