import { appConfigSchema } from '../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../lib/config/app-config-schema.js';
import type { AdminEvent, UserEvent } from '../../lib/core/events/event-schemas.js';
import { batchIdFor } from '../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../lib/core/queue/event-batch.js';
import { eventKey } from '../../lib/core/events/event-key.js';

const mpas = { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { username: 'sync', password: 'pw' } };

/** A tenant `acme` delivering to `siem` and, when given, `routes`: every other setting at its default. */
export function configWithSiem(siem: Record<string, unknown>, routes?: unknown[]): AppConfig {
  return appConfigSchema.parse({
    tenant: 'acme',
    mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'], credentials: { grant: 'password', username: 'u', password: 'p' } },
    siem,
    ...(routes === undefined ? {} : { routes }),
  }) as AppConfig;
}

/**
 * The example: every event in CEF to QRadar, only failed logins and admin deletions in
 * JSON to a webhook (no default route).
 */
export function twoRouteConfig(): AppConfig {
  return appConfigSchema.parse({
    mpas,
    routes: [
      { name: 'qradar', siem: { url: 'https://qradar.example.com/ingest', format: 'cef' } },
      {
        name: 'webhook',
        siem: { url: 'https://hooks.example.com/mpas', format: 'json' },
        filter: { OR: [{ 'event.type': { equals: 'LOGIN_ERROR' } }, { 'event.operationType': { equals: 'DELETE' } }] },
      },
    ],
  }) as AppConfig;
}

/** A user event of `type` at `time`, with the fields the catalog and CEF read. */
export function userEvent(id: string, type: string, time: number, extra: Partial<UserEvent> = {}): UserEvent {
  return {
    id,
    time,
    type,
    realmId: 'acme',
    clientId: 'portal',
    userId: `uid-${id}`,
    ipAddress: '192.0.2.10',
    details: { username: 'alice', auth_method: 'openid-connect' },
    ...(type.endsWith('_ERROR') ? { error: 'invalid_user_credentials' } : {}),
    ...extra,
  };
}

/** An admin event. */
export function adminEvent(id: string, operationType: string, resourceType: string, time: number): AdminEvent {
  return {
    id,
    time,
    realmId: 'acme',
    operationType,
    resourceType,
    resourcePath: `users/${id}`,
    authDetails: { realmId: 'master', clientId: 'admin-cli', userId: 'admin-1', ipAddress: '198.51.100.5' },
  };
}

/** A queue batch of `events`, its id the hash of their keys (as the poller makes it). */
export function batchOf(stream: 'user' | 'admin', events: Array<UserEvent | AdminEvent>, realm = 'acme'): EventBatch {
  return { v: 1, tenant: 'default', realm, stream, batchId: batchIdFor('default', realm, stream, events.map(eventKey)), events };
}
