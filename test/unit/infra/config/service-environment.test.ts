import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../../lib/config/app-config-schema.js';
import { loadConfig } from '../../../../lib/config/load-config.js';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { forwarderEnvironment, serviceEnvironment } from '../../../../lib/config/lambda-config.js';
import { loadLambdaConfig } from '../../../../lib/config/lambda-config.js';
import { shippedTenant } from '../../../support/infra-synth.js';

/** What a secret adds to the environment in lib/config/lambda-config.ts, per tenant. */
const SECRET_VARIABLES: Record<string, Record<string, string>> = {
  example: { MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'pw-from-secret', SIEM_TOKEN: 'token-from-secret' },
  northwind: { MPAS_CLIENT_SECRET: 'client-secret-from-secret', SIEM_AUTH_HEADER: 'X-Api-Key: key-from-secret' },
};

/** The settings that come from elsewhere than the environment the stack writes. */
function withoutCredentialsAndLocalSettings(config: AppConfig) {
  const { credentials: _credentials, ...mpas } = config.mpas;
  const { auth: _auth, ...siem } = config.siem;
  const { stateDir: _stateDir, ...rest } = config;
  return { ...rest, mpas, siem };
}

describe('serviceEnvironment', () => {
  it.each(['example', 'northwind'])('gives the functions back the configuration of the %s tenant file', (name) => {
    const tenant = shippedTenant(name);
    const environment = serviceEnvironment(tenant.service.config);
    const loaded = loadConfig({ env: { ...environment, ...SECRET_VARIABLES[name] } });
    expect(withoutCredentialsAndLocalSettings(loaded)).toEqual(withoutCredentialsAndLocalSettings(tenant.service.config));
    expect(loaded.mpas.credentials.grant).toBe(tenant.service.mpasGrant);
    expect(loaded.siem.auth.kind).toBe(tenant.service.siemAuthKind);
  });

  it('never writes a credential or a local-only setting', () => {
    for (const name of ['example', 'northwind']) {
      const environment = serviceEnvironment(shippedTenant(name).service.config);
      for (const variable of ['MPAS_USERNAME', 'MPAS_PASSWORD', 'MPAS_CLIENT_SECRET', 'SIEM_TOKEN', 'SIEM_AUTH_HEADER', 'SIEM_USERNAME', 'SIEM_PASSWORD', 'REDACT_HASH_KEY', 'STATE_DIR', 'MPAS_CA_FILE', 'SIEM_CA_FILE', 'MPAS_LOG_SYNC_CONFIG']) {
        expect(environment, `${name}: ${variable}`).not.toHaveProperty(variable);
      }
    }
  });

  it('writes lists, JSON and numbers in the forms lib/config reads', () => {
    const tenant = parseTenant('acme', {
      deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com' },
      service: {
        mpas: { baseUrl: 'https://mpas.example.com', realms: ['a', 'b'], streams: ['admin'], startFrom: '2025-02-12T00:00:00Z' },
        siem: { url: 'https://siem.example.com', gzip: true, auth: { kind: 'basic' } },
        redaction: { userFields: [], adminFields: ['representation'] },
        fields: ['time', 'type'],
        filter: { OR: [{ eventType: { equals: 'user-event' } }] },
      },
    });
    expect(serviceEnvironment(tenant.service.config)).toMatchObject({
      MPAS_REALMS: 'a,b',
      MPAS_STREAMS: 'admin',
      MPAS_START_FROM: String(Date.parse('2025-02-12T00:00:00Z')),
      SIEM_GZIP: 'true',
      REDACT_USER_FIELDS: '',
      REDACT_ADMIN_FIELDS: 'representation',
      FIELDS: 'time,type',
      FILTER: '{"OR":[{"eventType":{"equals":"user-event"}}]}',
      TENANT: 'acme',
    });
  });
});

describe('forwarderEnvironment', () => {
  const base = {
    deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com' },
    service: { mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'] } },
  };
  const routes = [
    { name: 'qradar', siem: { url: 'https://qradar.example.com/in', format: 'cef', batch: 'ndjson', auth: { kind: 'bearer' } } },
    { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } }, fields: ['type', 'time'] },
  ];

  it('is the service environment itself without routes', () => {
    const config = shippedTenant('example').service.config;
    expect(forwarderEnvironment(config)).toEqual(serviceEnvironment(config));
  });

  it('carries the routes without credentials, and no SIEM_* when the routes are the only destinations', () => {
    const { service } = parseTenant('acme', { ...base, service: { ...base.service, routes } });
    const environment = forwarderEnvironment(service.config);
    expect(Object.keys(environment).filter((name) => name.startsWith('SIEM_'))).toEqual([]);
    const carried = JSON.parse(environment['ROUTES'] ?? 'null') as Array<{ name: string; siem: Record<string, unknown> }>;
    expect(carried.map((route) => route.name)).toEqual(['qradar', 'webhook']);
    expect(carried.every((route) => !('auth' in route.siem))).toBe(true);
    // The poller keeps the first route's SIEM settings: its configuration needs a siem.
    expect(serviceEnvironment(service.config)['SIEM_URL']).toBe('https://qradar.example.com/in');
  });

  it('reads back in the Lambda as the same routes, each with its route secret', async () => {
    const { service } = parseTenant('acme', { ...base, service: { ...base.service, siem: { url: 'https://siem.example.com/in' }, routes } });
    const environment = forwarderEnvironment(service.config);
    expect(environment['SIEM_URL']).toBe('https://siem.example.com/in');
    const { config } = await loadLambdaConfig({
      env: { ...environment, ROUTE_SECRET_ARNS: JSON.stringify({ qradar: 'route-qradar' }) },
      secrets: async (id) => (id === 'route-qradar' ? JSON.stringify({ token: 'q-token' }) : undefined),
      role: 'forwarder',
    });
    expect(config.routes?.[0]?.siem.auth).toEqual({ kind: 'bearer', token: 'q-token' });
    const withoutAuth = (list: AppConfig['routes']) => list?.map(({ siem: { auth: _auth, ...siem }, ...route }) => ({ ...route, siem }));
    expect(withoutAuth(config.routes)).toEqual(withoutAuth(service.config.routes));
    expect(config.defaultRoute).toBeUndefined();
  });
});
