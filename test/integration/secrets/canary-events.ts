import type { AdminEvent, UserEvent } from '../../../lib/core/events/event-schemas.js';
import type { CanarySet } from './canaries.js';

/** Events of the realm `acme` that carry canaries where Keycloak puts secrets, and ordinary ones around them. */
export interface CanaryEvents {
  readonly user: UserEvent[];
  readonly admin: AdminEvent[];
  /** The username of the user events, for `report`'s events-for-user. */
  readonly username: string;
}

/**
 * Admin events whose `representation` (the request body, as Keycloak stores it: JSON text) holds
 * a canary in a secret place of Keycloak's representations, and user events whose `details`
 * hold one, plus personal data the redaction must hide (address, username). Times are spread
 * over the ten minutes before `now`.
 */
export function canaryEvents(canaries: CanarySet, now: number): CanaryEvents {
  const at = (index: number): number => now - 600_000 + index * 30_000;
  const authDetails = (index: number) => ({ realmId: 'master', clientId: 'security-admin-console', userId: `admin-${index}`, ipAddress: '198.51.100.5' });
  const admin = (index: number, operationType: string, resourceType: string, resourcePath: string, representation: unknown): AdminEvent => ({
    id: `00000000-0000-4000-8000-0000000000a${index}`,
    time: at(index),
    realmId: 'acme',
    authDetails: authDetails(index),
    operationType,
    resourceType,
    resourcePath,
    representation: JSON.stringify(representation),
  });
  const adminEvents: AdminEvent[] = [
    // UserRepresentation.credentials: CredentialRepresentation.value (POST /users with a password).
    admin(1, 'CREATE', 'USER', 'users/6f1c0a9e-0000-4000-8000-000000000001', {
      username: 'bob',
      enabled: true,
      credentials: [{ type: 'password', value: canaries.add('admin event: USER credentials[].value', 'event-credential-value'), temporary: false }],
    }),
    // ClientRepresentation.secret of a confidential client.
    admin(2, 'UPDATE', 'CLIENT', 'clients/6f1c0a9e-0000-4000-8000-000000000002', {
      clientId: 'portal',
      publicClient: false,
      secret: canaries.add('admin event: CLIENT secret', 'event-client-secret'),
    }),
    // ComponentRepresentation.config is a MultivaluedHashMap: every value is a list (LDAP's bindCredential).
    admin(3, 'CREATE', 'COMPONENT', 'components/6f1c0a9e-0000-4000-8000-000000000003', {
      name: 'ldap',
      providerId: 'ldap',
      providerType: 'org.keycloak.storage.UserStorageProvider',
      config: { bindDn: ['cn=admin,dc=example,dc=org'], bindCredential: [canaries.add('admin event: COMPONENT config.bindCredential[0]', 'event-bind-credential')] },
    }),
    // A client attribute whose value is JSON text holding a secret (JSON in a string).
    admin(4, 'UPDATE', 'CLIENT', 'clients/6f1c0a9e-0000-4000-8000-000000000004', {
      clientId: 'legacy-app',
      attributes: { 'custom.settings': JSON.stringify({ password: canaries.add('admin event: JSON in a string attribute', 'event-json-in-string') }) },
    }),
  ];
  const username = canaries.add('user event: details.username (personal data)', 'user-name');
  const address = canaries.addLiteral('user event: ipAddress (personal data)', '203.0.113.177');
  const user = (index: number, type: string, details: Record<string, string>): UserEvent => ({
    id: `00000000-0000-4000-8000-0000000000b${index}`,
    time: at(index) + 1,
    type,
    realmId: 'acme',
    clientId: 'portal',
    userId: '6f1c0a9e-0000-4000-8000-0000000000ff',
    ipAddress: address,
    details: { auth_method: 'openid-connect', username, ...details },
  });
  const userEvents: UserEvent[] = [
    user(1, 'LOGIN', {}),
    user(2, 'LOGIN_ERROR', { client_secret: canaries.add('user event: details.client_secret', 'event-detail-secret') }),
    user(3, 'UPDATE_PASSWORD', { credential: JSON.stringify({ value: canaries.add('user event: JSON in details.credential', 'event-detail-json') }) }),
    user(4, 'LOGOUT', {}),
  ];
  return { user: userEvents, admin: adminEvents, username };
}
