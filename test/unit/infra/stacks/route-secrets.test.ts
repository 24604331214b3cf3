import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentRuleError } from '../../../../infra/config/infra-errors.js';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { addTenantStacks } from '../../../../infra/tenant-app.js';
import { cdkContext, synthesizeTenants } from '../../../support/infra-synth.js';
import type { SynthesizedApp } from '../../../support/infra-synth.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 180_000;

// A template's JSON, read as loosely as the assertions library hands it out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A tenant with the default SIEM and three routes: one with a created secret, one with an imported one, one without auth. */
function routedTenant(routes: unknown[] = ROUTES, name = 'routed') {
  return parseTenant(name, {
    deployment: {
      account: '123456789012',
      region: 'eu-central-1',
      alarmEmail: 'soc@routed.example',
      ...(routes === ROUTES ? { secretNames: { routes: { elastic: 'routed/es-key' } } } : {}),
    },
    service: {
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'] },
      siem: { url: 'https://siem.example.com/in', auth: { kind: 'bearer' } },
      routes,
    },
  });
}
const ROUTES = [
  { name: 'qradar', siem: { url: 'https://qradar.example.com/in', format: 'cef', auth: { kind: 'bearer' } } },
  { name: 'elastic', siem: { type: 'elastic', url: 'https://es.example.com:9200', auth: { kind: 'apiKey' } } },
  { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } } },
];

function functionOf(template: Template, prefix: 'Poller' | 'Forwarder'): Json {
  const [resource] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(`${prefix}Function`));
  return resource![1]['Properties'];
}

function secretGrants(template: Template, rolePrefix: string): string {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy['Properties']['Roles'] as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)),
  );
  const statements = policies.flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Array<{ Action: string | string[] }>);
  return JSON.stringify(statements.filter((statement) => ([] as string[]).concat(statement.Action).includes('secretsmanager:GetSecretValue')));
}

describe('StatefulStack and StatelessStack with routes', () => {
  let synthesized: SynthesizedApp;
  let data: Template;
  let service: Template;
  beforeAll(() => {
    synthesized = synthesizeTenants([routedTenant()], { nag: true });
    data = synthesized.template('mpas-log-sync-routed-data');
    service = synthesized.template('mpas-log-sync-routed-service');
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => synthesized?.dispose());

  it('creates one retained, value-less secret per authenticating route, and imports a route secret named in the tenant file', () => {
    const secrets = Object.values(data.findResources('AWS::SecretsManager::Secret'));
    const names = secrets.map((secret) => secret['Properties']['Name'] as string).sort();
    expect(names).toEqual(['mpas-log-sync/routed/mpas', 'mpas-log-sync/routed/route-qradar', 'mpas-log-sync/routed/siem']);
    const qradar = secrets.find((secret) => secret['Properties']['Name'] === 'mpas-log-sync/routed/route-qradar')!;
    expect(qradar['DeletionPolicy']).toBe('Retain');
    expect(qradar['Properties']['SecretString']).toBeUndefined();
    expect(qradar['Properties']['Description']).toMatch(/route qradar: JSON \{"token"\}/);
  });

  it('gives the forwarder ROUTES without credentials and ROUTE_SECRET_ARNS, and the poller neither', () => {
    const variables = functionOf(service, 'Forwarder')['Environment']['Variables'];
    const routes = JSON.parse(variables['ROUTES'] as string) as Array<{ name: string; siem: Json }>;
    expect(routes.map((route) => route.name)).toEqual(['qradar', 'elastic', 'webhook']);
    expect(routes.some((route) => 'auth' in route.siem)).toBe(false);
    const secretIds = JSON.stringify(variables['ROUTE_SECRET_ARNS']);
    expect(secretIds).toMatch(/RouteSecretqradar/);
    expect(secretIds).toContain('\\"elastic\\":\\"routed/es-key\\"');
    expect(secretIds).not.toContain('webhook');
    expect(variables['SIEM_URL']).toBe('https://siem.example.com/in');
    const poller = functionOf(service, 'Poller')['Environment']['Variables'];
    expect(poller).not.toHaveProperty('ROUTES');
    expect(poller).not.toHaveProperty('ROUTE_SECRET_ARNS');
  });

  it('lets the forwarder read exactly its SIEM secret and the route secrets, and the poller none of them', () => {
    const forwarder = secretGrants(service, 'ForwarderRole');
    expect(forwarder).toMatch(/SiemSecret/);
    expect(forwarder).toMatch(/RouteSecretqradar/);
    expect(forwarder).toContain(':secret:routed/es-key-??????');
    expect(forwarder).not.toMatch(/MpasSecret/);
    const poller = secretGrants(service, 'PollerRole');
    expect(poller).not.toMatch(/RouteSecret|es-key|SiemSecret/);
  });

  it('passes cdk-nag AwsSolutionsChecks with no unsuppressed error or warning', () => {
    const findings = synthesized.assembly.stacks.flatMap((stack) =>
      stack.messages.filter((message) => message.level === 'error' || message.level === 'warning').map((message) => `${message.id}: ${String(message.entry.data).slice(0, 160)}`),
    );
    expect(findings).toEqual([]);
  });

  it("fails the synth when the routes take more of the forwarder's environment than the 4 KB limit leaves", () => {
    const many = Array.from({ length: 12 }, (_, index) => ({
      name: `route-${index}`,
      siem: { url: `https://siem-${index}.example.com/ingest/with/a/long/path` },
      filter: { OR: [{ 'event.type': { equals: 'LOGIN_ERROR' } }, { 'event.details.reason': { contains: 'a-rather-long-reason-text' } }] },
    }));
    const tenant = routedTenant(many, 'crowded');
    expect(() => addTenantStacks(new App({ context: cdkContext() }), [tenant])).toThrow(DeploymentRuleError);
    expect(() => addTenantStacks(new App({ context: cdkContext() }), [tenant])).toThrow(/ROUTES \d+ B/);
  });
});
