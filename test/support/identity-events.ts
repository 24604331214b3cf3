import type { AdminEvent, UserEvent } from '../../lib/core/events/event-schemas.js';
import type { FormatContext } from '../../lib/core/formats/formatter.js';

/** What the format tests read: a login and an admin creating a user, in realm `customers`, with the key `key-1`. */
export const USER_CONTEXT: FormatContext = { tenant: 'acme', realm: 'customers', stream: 'user', key: 'key-1' };
export const ADMIN_CONTEXT: FormatContext = { ...USER_CONTEXT, stream: 'admin' };

export const LOGIN: UserEvent = {
  id: 'e-1',
  time: 1_739_388_470_156,
  type: 'LOGIN',
  realmId: 'customers',
  clientId: 'portal',
  userId: 'u-1',
  ipAddress: '203.0.113.7',
  details: { auth_method: 'openid-connect', username: 'alice' },
};

export const CREATE_USER: AdminEvent = {
  id: 'a-1',
  time: 1_739_388_470_156,
  realmId: 'customers',
  operationType: 'CREATE',
  resourceType: 'USER',
  resourcePath: 'users/u-9',
  authDetails: { realmId: 'customers', clientId: 'admin-cli', userId: 'adm-1', ipAddress: '198.51.100.4' },
};
