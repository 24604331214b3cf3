import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { appConfigSchema, forwarderConfigSchema, pollerConfigSchema } from '../../../lib/config/app-config-schema.js';
import { appConfigWithoutSecretsSchema, pathsFilledBySecrets, withoutSecrets } from '../../../lib/config/config-without-secrets.js';
import { ENV_VARS } from '../../../lib/config/env-var-table.js';

const SENTINEL_IDS = { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-0000-0000-000000000001', dcrImmutableId: `dcr-${'a'.repeat(32)}` };

/** A configuration as a tenant file gives it: the kinds of credentials, no value. */
const withoutValues = {
  mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'], credentials: { grant: 'password' } },
  siem: { url: 'https://siem.example.com/in', auth: { kind: 'header' } },
  redaction: { mode: 'hash' },
  routes: [
    { name: 'hec', siem: { type: 'splunk-hec', url: 'https://hec.example.com:8088', auth: { kind: 'bearer' } }, redaction: { mode: 'hash' } },
    { name: 'sentinel', siem: { type: 'sentinel', url: 'https://dce.example.com', auth: { kind: 'clientSecret' }, sentinel: SENTINEL_IDS } },
    { name: 'basic', siem: { url: 'https://basic.example.com', auth: { kind: 'basic' } } },
  ],
};

/** The same configuration with every value its secrets hold. */
const withValues = {
  ...withoutValues,
  mpas: { ...withoutValues.mpas, credentials: { grant: 'password', username: 'sync', password: 'pw' } },
  siem: { ...withoutValues.siem, auth: { kind: 'header', name: 'X-Api-Key', value: 'key' } },
  redaction: { mode: 'hash', hashKey: 'k'.repeat(32) },
  routes: [
    { ...withoutValues.routes[0], siem: { ...withoutValues.routes[0]?.siem, auth: { kind: 'bearer', token: 'hec-token' } }, redaction: { mode: 'hash', hashKey: 'h'.repeat(32) } },
    { ...withoutValues.routes[1], siem: { ...withoutValues.routes[1]?.siem, auth: { kind: 'clientSecret', clientSecret: 'cs' } } },
    { ...withoutValues.routes[2], siem: { ...withoutValues.routes[2]?.siem, auth: { kind: 'basic', username: 'u', password: 'p' } } },
  ],
};

function issuesOf(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('pathsFilledBySecrets', () => {
  it('reads every row kept in a secret from the table, the header name SIEM_AUTH_HEADER carries, and their copies in the routes', () => {
    const paths = pathsFilledBySecrets();
    for (const spec of ENV_VARS.filter((row) => row.secret === true || row.besideSecret === true)) expect(paths).toContain(spec.path);
    expect(paths).toEqual(expect.arrayContaining(['siem.auth.name', 'routes.*.siem.auth.name', 'routes.*.siem.auth.token', 'routes.*.redaction.hashKey']));
    // What the tenant file names stays checked: the grant, the client id, the kind of auth.
    expect(paths.filter((path) => /grant|clientId$|kind$|^routes\.\*\.mpas/.test(path))).toEqual([]);
  });
});

describe('withoutSecrets', () => {
  it('accepts the kinds of credentials without their values, where the schema itself requires them', () => {
    expect(issuesOf(appConfigWithoutSecretsSchema(), withoutValues)).toEqual([]);
    expect(issuesOf(appConfigSchema, withoutValues)).toEqual(
      expect.arrayContaining([
        'mpas.credentials.username: is required',
        'siem.auth.value: is required',
        'redaction.hashKey: is required when the redaction mode is hash (a random string of at least 16 characters)',
        'routes.0.siem.auth.token: is required',
        'routes.1.siem.auth.clientSecret: is required',
      ]),
    );
  });

  it('checks hash as hash, its key aside, and leaves the schema it copies as it was', () => {
    const parsed = appConfigWithoutSecretsSchema().parse(withoutValues);
    expect(parsed.redaction.mode).toBe('hash');
    expect(parsed.routes?.[0]?.redaction?.mode).toBe('hash');
    expect(parsed.redaction).not.toHaveProperty('hashKey');
    expect(issuesOf(appConfigSchema, { ...withValues, redaction: { mode: 'hash' } })).toEqual([
      'redaction.hashKey: is required when the redaction mode is hash (a random string of at least 16 characters)',
    ]);
  });

  it('gives the same output as the schema, less the secrets', () => {
    const full = appConfigSchema.parse(withValues);
    const without = appConfigWithoutSecretsSchema().parse(withoutValues);
    const { credentials: fullCredentials, ...fullMpas } = full.mpas;
    const { credentials, ...mpas } = without.mpas;
    expect(mpas).toEqual(fullMpas);
    expect(credentials).toEqual({ grant: fullCredentials.grant, clientId: fullCredentials.clientId });
    expect(without.siem.auth).toEqual({ kind: 'header' });
    expect(without.routes?.map((route) => route.siem.auth)).toEqual([{ kind: 'bearer' }, { kind: 'clientSecret' }, { kind: 'basic' }]);
    expect({ ...without.siem, auth: undefined }).toEqual({ ...full.siem, auth: undefined });
  });

  it('reports every other problem as the schema does, with the same words', () => {
    const bad = [
      { ...withValues, mpas: { ...withValues.mpas, pageSize: 0, realms: [] } },
      { ...withValues, redaction: { ...withValues.redaction, mode: 'scramble', userFields: ['a..b'] } },
      { ...withValues, siem: { ...withValues.siem, url: 'http://siem.example.com', auth: { kind: 'header', name: 'X-Api-Key', value: 'key' }, concurrency: 0 } },
      { ...withValues, routes: [{ ...withValues.routes[0], name: 'Bad Name' }, withValues.routes[0]] },
      { ...withValues, siem: { ...withValues.siem, auth: { kind: 'magic' } } },
      { ...withValues, unknownSetting: true },
    ];
    for (const input of bad) {
      const expected = issuesOf(appConfigSchema, input);
      expect(expected.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(issuesOf(appConfigWithoutSecretsSchema(), input)).toEqual(expected);
    }
  });

  it('copies the role schemas too: the poller without the MPAS secret, the forwarder without the SIEM and route secrets', () => {
    const { mpas, siem, redaction, routes } = withoutValues;
    expect(issuesOf(withoutSecrets(pollerConfigSchema), { mpas })).toEqual([]);
    expect(issuesOf(pollerConfigSchema, { mpas })).not.toEqual([]);
    expect(issuesOf(withoutSecrets(forwarderConfigSchema), { siem, redaction, routes })).toEqual([]);
    expect(issuesOf(forwarderConfigSchema, { siem, redaction, routes })).not.toEqual([]);
    // Still a client_credentials grant without its client id is refused: the tenant file names it.
    expect(issuesOf(withoutSecrets(pollerConfigSchema), { mpas: { ...mpas, credentials: { grant: 'client_credentials' } } })).toEqual([
      'mpas.credentials.clientId: is required for the client_credentials grant (admin-cli, the default client, cannot use it)',
    ]);
  });
});
