import { describe, expect, it } from 'vitest';
import { secretPathPatterns } from '../../../../lib/config/config-secrets.js';
import { ENV_VARS } from '../../../../lib/config/env-var-table.js';
import { TenantConfigError } from '../../../../infra/config/infra-errors.js';
import type { TenantProblem } from '../../../../infra/config/infra-errors.js';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { forwarderEnvironment, serviceEnvironment } from '../../../../lib/config/lambda-config.js';
import { pathsFilledBySecrets } from '../../../../lib/config/config-without-secrets.js';
import { valueAt } from '../../../../infra/config/service-settings.js';
import { shippedTenant } from '../../../support/infra-synth.js';

const CANARY = 'canary-7Qx2';

const deployment = { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com' };
const mpas = { baseUrl: 'https://mpas.example.com', realms: ['customers'] };

function problemsOf(service: Record<string, unknown>): readonly TenantProblem[] {
  try {
    parseTenant('acme', { deployment, service });
  } catch (error) {
    if (error instanceof TenantConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a TenantConfigError');
}

/** A value at a dotted path of `secretPathPatterns`, a route's `*` as route 0. */
function withValueAt(path: string, value: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let current = root;
  const keys = path.replace('routes.*', 'routes.0').split('.');
  keys.forEach((key, index) => {
    if (index === keys.length - 1) current[key] = value;
    else current = (current[key] ??= {}) as Record<string, unknown>;
  });
  if (isRecord(root['routes'])) root['routes'] = [{ name: 'r', siem: { url: 'https://r.example.com' }, ...(root['routes']['0'] as Record<string, unknown>) }];
  return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('tenant files and secrets', () => {
  it('refuses every setting the schema marks secret, top level and in a route, by name and without its value', () => {
    for (const path of secretPathPatterns()) {
      const given = withValueAt(path, CANARY);
      const service = { siem: { url: 'https://siem.example.com' }, ...given, mpas: { ...mpas, ...(isRecord(given['mpas']) ? given['mpas'] : {}) } };
      const problems = problemsOf(service);
      expect(problems.map((problem) => problem.setting), path).toContain(`service.${path.replace('routes.*', 'routes.0')}`);
      expect(JSON.stringify(problems), path).not.toContain(CANARY);
    }
  });

  it('refuses a URL carrying a credential, which the template and the Lambda environment would hold in clear', () => {
    const problems = problemsOf({
      mpas: { ...mpas, baseUrl: `https://mpas.example.com/?access_token=${CANARY}` },
      siem: { url: `https://siem.example.com/in?api-key=${CANARY}` },
      routes: [{ name: 'sas', siem: { url: `https://hub.example.com/in?sv=2020&sig=${CANARY}` } }],
    });
    expect(problems.map((problem) => problem.setting)).toEqual(expect.arrayContaining(['service.mpas.baseUrl', 'service.siem.url', 'service.routes.0.siem.url']));
    expect(problems.find((problem) => problem.setting === 'service.siem.url')?.message).toMatch(/carries a credential.*Secrets Manager secret/);
    expect(JSON.stringify(problems)).not.toContain(CANARY);
  });

  it('validates the service settings without a value for what the secrets give: none is invented', () => {
    const routes = [
      { name: 'hec', siem: { type: 'splunk-hec', url: 'https://hec.example.com:8088', auth: { kind: 'bearer' } } },
      { name: 'sentinel', siem: { type: 'sentinel', url: 'https://dce.example.com', auth: { kind: 'clientSecret' }, sentinel: { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-0000-0000-000000000001', dcrImmutableId: `dcr-${'a'.repeat(32)}` } } },
    ];
    const withRoutes = parseTenant('acme', { deployment, service: { mpas, siem: { url: 'https://siem.example.com', auth: { kind: 'header' } }, routes } });
    for (const config of [shippedTenant('example').service.config, shippedTenant('northwind').service.config, withRoutes.service.config]) {
      for (const path of pathsFilledBySecrets()) {
        const [head, rest] = path.startsWith('routes.*.') ? ['routes', path.slice('routes.*.'.length)] : [undefined, path];
        const holders = head === undefined ? [config] : (config.routes ?? []);
        for (const holder of holders) expect(valueAt(holder, rest), path).toBeUndefined();
      }
    }
    // Types whose auth has no default (Splunk HEC, Sentinel) read back with the kind their route secret gives.
    expect([...withRoutes.service.routeAuthKinds]).toEqual([['hec', 'bearer'], ['sentinel', 'clientSecret']]);
    expect(withRoutes.service.siemAuthKind).toBe('header');
  });

  it('writes no secret setting into the Lambda environment, whatever the config holds', () => {
    const tenant = parseTenant('acme', { deployment, service: { mpas, siem: { url: 'https://siem.example.com', auth: { kind: 'header' } }, routes: [{ name: 'r', siem: { url: 'https://r.example.com', auth: { kind: 'bearer' } } }] } });
    // A secret where the tenant file's validation leaves none: it may reach no variable.
    const config = { ...tenant.service.config, redaction: { ...tenant.service.config.redaction, hashKey: CANARY } };
    const written = JSON.stringify({ ...serviceEnvironment(config), ...forwarderEnvironment(config) });
    expect(written).not.toContain(CANARY);
    const secretVariables = ENV_VARS.filter((spec) => secretPathPatterns().includes(spec.path)).map((spec) => spec.name);
    expect(secretVariables.sort()).toEqual(['MPAS_CLIENT_SECRET', 'MPAS_PASSWORD', 'REDACT_HASH_KEY', 'SIEM_API_KEY', 'SIEM_AUTH_HEADER', 'SIEM_CLIENT_SECRET', 'SIEM_PASSWORD', 'SIEM_TOKEN']);
  });
});
