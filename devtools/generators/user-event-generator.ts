import type { UserEvent } from '../../lib/core/events/event-schemas.js';
import { APP_CLIENT_IDS, SERVICE_CLIENT_IDS, fakeIpAddress, fakePerson } from './fake-identities.js';
import type { FakePerson } from './fake-identities.js';
import type { Random } from './random.js';

/** The user-event types the generator produces, with how often each occurs in real traffic. */
export const USER_EVENT_WEIGHTS = [
  ['LOGIN', 22], ['CODE_TO_TOKEN', 18], ['REFRESH_TOKEN', 16], ['LOGIN_ERROR', 9], ['LOGOUT', 7],
  ['CLIENT_LOGIN', 8], ['USER_INFO_REQUEST', 2], ['TOKEN_EXCHANGE', 2], ['REGISTER', 2],
  ['UPDATE_PASSWORD', 2], ['UPDATE_PROFILE', 1], ['UPDATE_TOTP', 1.5], ['REMOVE_TOTP', 0.5],
  ['SEND_VERIFY_EMAIL', 1.5], ['VERIFY_EMAIL', 1], ['SEND_RESET_PASSWORD', 1.5], ['RESET_PASSWORD', 1],
  ['IMPERSONATE', 0.5], ['REFRESH_TOKEN_ERROR', 1], ['CODE_TO_TOKEN_ERROR', 0.5],
] as const satisfies ReadonlyArray<readonly [string, number]>;

/** One of the generated user-event types. */
export type GeneratedUserEventType = (typeof USER_EVENT_WEIGHTS)[number][0];

/** What to generate a user event for; anything left out is drawn from the random source. */
export interface UserEventOptions {
  /** The realm's internal id (see `realmIdFor`). */
  realmId: string;
  /** Epoch milliseconds the event happened at. */
  time: number;
  type?: GeneratedUserEventType;
  person?: FakePerson;
  ipAddress?: string;
  /** Whether to include `id` (Keycloak >= 26.2 sends one); default true. */
  withId?: boolean;
}

type Details = Record<string, string>;
interface Shape {
  clientId?: string;
  userId?: string;
  sessionId?: string;
  error?: string;
  details: Details;
}

/** Builds the client, session and `details` of one event type, as Keycloak's EventBuilder fills them. */
function shapeOf(type: GeneratedUserEventType, random: Random, person: FakePerson): Shape {
  const app = random.pick(APP_CLIENT_IDS);
  const service = random.pick(SERVICE_CLIENT_IDS);
  const sessionId = random.uuid();
  const redirect = `https://${app}.example.com/${random.pick(['', 'callback', 'login/oauth2/code/mpas'])}`;
  const browser: Details = { auth_method: 'openid-connect', auth_type: 'code', redirect_uri: redirect, code_id: sessionId };
  const tokens = (grant: string, scope: string): Details => ({
    token_id: random.uuid(), grant_type: grant, refresh_token_type: 'Refresh', scope,
    refresh_token_id: random.uuid(), client_auth_method: 'client-secret',
  });
  const user = { userId: person.userId, sessionId };
  switch (type) {
    case 'LOGIN':
      // Direct grants (as the original service's admin-cli sample) next to the usual browser logins.
      return random.chance(0.3)
        ? { clientId: 'admin-cli', ...user, details: { auth_method: 'openid-connect', ...tokens('password', 'profile email'), username: person.username } }
        : { clientId: app, ...user, details: { ...browser, response_type: 'code', consent: 'no_consent_required', response_mode: 'query', username: person.username } };
    case 'LOGIN_ERROR':
      return random.chance(0.85)
        ? { clientId: app, userId: person.userId, error: 'invalid_user_credentials', details: { ...browser, username: person.username } }
        : { clientId: app, error: 'user_not_found', details: { ...browser, username: `${person.username.split('@')[0]}${random.int(1, 9)}` } };
    case 'LOGOUT':
      return { clientId: app, ...user, details: { redirect_uri: redirect } };
    case 'CODE_TO_TOKEN':
      return { clientId: app, ...user, details: { ...tokens('authorization_code', 'openid profile email'), code_id: sessionId } };
    case 'CODE_TO_TOKEN_ERROR':
      return { clientId: app, error: 'invalid_code', details: { grant_type: 'authorization_code', code_id: sessionId, client_auth_method: 'client-secret' } };
    case 'REFRESH_TOKEN':
      return { clientId: app, ...user, details: { ...tokens('refresh_token', 'openid profile email'), updated_refresh_token_id: random.uuid() } };
    case 'REFRESH_TOKEN_ERROR':
      return { clientId: app, error: 'invalid_token', details: { grant_type: 'refresh_token', reason: 'Token is not active', client_auth_method: 'client-secret' } };
    case 'CLIENT_LOGIN':
      return {
        clientId: service, userId: random.uuid(), ...(random.chance(0.3) ? { sessionId } : {}),
        details: { token_id: random.uuid(), grant_type: 'client_credentials', scope: 'profile email', client_auth_method: 'client-secret', username: `service-account-${service}` },
      };
    case 'TOKEN_EXCHANGE':
      return {
        clientId: service, ...user,
        details: {
          token_id: random.uuid(), grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_client_id: app,
          requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: random.pick(SERVICE_CLIENT_IDS),
          scope: 'profile email', client_auth_method: 'client-secret', username: person.username,
        },
      };
    case 'USER_INFO_REQUEST':
      return { clientId: app, ...user, details: { auth_method: 'validate_access_token', username: person.username, signature_required: 'false' } };
    case 'REGISTER':
      return {
        clientId: app, ...user,
        details: { ...browser, register_method: 'form', email: person.email, username: person.username, first_name: person.firstName, last_name: person.lastName },
      };
    case 'UPDATE_PASSWORD':
    case 'UPDATE_TOTP':
    case 'REMOVE_TOTP':
      return { clientId: 'account-console', ...user, details: { auth_method: 'openid-connect', username: person.username } };
    case 'UPDATE_PROFILE':
      return {
        clientId: 'account-console', ...user,
        details: { auth_method: 'openid-connect', context: 'ACCOUNT', updated_email: person.email, previous_email: `${person.username.split('@')[0]}@old.example`, username: person.username },
      };
    case 'SEND_VERIFY_EMAIL':
    case 'VERIFY_EMAIL':
    case 'SEND_RESET_PASSWORD':
      return { clientId: app, ...user, details: { ...browser, email: person.email, username: person.username } };
    case 'RESET_PASSWORD':
      return { clientId: app, ...user, details: { ...browser, username: person.username } };
    case 'IMPERSONATE':
      return { clientId: 'security-admin-console', ...user, details: { impersonator_realm: 'master', impersonator: random.pick(['admin', 'helpdesk-lead', 'ops-admin']) } };
  }
}

/**
 * One user event as `GET /admin/realms/{realm}/events` returns it: Keycloak's field order,
 * absent fields left out (Keycloak omits nulls), every `details` value a string.
 */
export function generateUserEvent(random: Random, options: UserEventOptions): UserEvent {
  const type = options.type ?? random.weighted(USER_EVENT_WEIGHTS);
  const person = options.person ?? fakePerson(random);
  const id = random.uuid();
  const ipAddress = options.ipAddress ?? fakeIpAddress(random);
  const shape = shapeOf(type, random, person);
  const event: UserEvent = { ...(options.withId === false ? {} : { id }), time: options.time, type, realmId: options.realmId };
  if (shape.clientId !== undefined) event.clientId = shape.clientId;
  if (shape.userId !== undefined) event.userId = shape.userId;
  if (shape.sessionId !== undefined) event.sessionId = shape.sessionId;
  event.ipAddress = ipAddress;
  if (shape.error !== undefined) event.error = shape.error;
  event.details = shape.details;
  return event;
}
