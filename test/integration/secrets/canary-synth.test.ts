import { afterAll, describe, expect, it } from 'vitest';
import { TenantConfigError } from '../../../infra/config/infra-errors.js';
import { parseTenant } from '../../../infra/config/load-tenants.js';
import type { SynthesizedApp } from '../../support/infra-synth.js';
import { CanarySet, describeFindings, filesUnder, findCanaries } from './canaries.js';
import type { Place } from './canaries.js';

const deployment = { account: '111111111111', region: 'eu-central-1', alarmEmail: 'secops-alerts@example.com', archive: { enabled: true } };

describe('canary sweep: cdk synth of a tenant whose settings carry canaries', () => {
  let app: SynthesizedApp | undefined;
  afterAll(() => app?.dispose());

  it('no canary in the templates (Lambda environments included), the assembly, or the problems of a refused tenant file', async () => {
    const canaries = new CanarySet(1818);
    const siemUrlCode = canaries.add('service.siem.url query parameter code', 'tenant-siem-url-code');
    const routeUrlSig = canaries.add('service.routes[webhook].siem.url query parameter sig', 'tenant-route-url-sig');
    const places: Place[] = [];

    // The secrets a tenant file must not hold, written where an operator might: refused by name, never quoted.
    const refused = {
      'mpas.credentials.password': canaries.add('service.mpas.credentials.password (refused)', 'tenant-mpas-password'),
      'mpas.credentials.clientSecret': canaries.add('service.mpas.credentials.clientSecret (refused)', 'tenant-mpas-client-secret'),
      'siem.auth.token': canaries.add('service.siem.auth.token (refused)', 'tenant-siem-token'),
      'redaction.hashKey': canaries.add('service.redaction.hashKey (refused)', 'tenant-hash-key'),
      'routes.0.siem.auth.value': canaries.add('service.routes[0].siem.auth.value (refused)', 'tenant-route-header'),
    };
    let refusal: unknown;
    try {
      parseTenant('canary', {
        deployment,
        service: {
          mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { grant: 'password', username: 'sync', password: refused['mpas.credentials.password'], clientSecret: refused['mpas.credentials.clientSecret'] } },
          siem: { url: 'https://siem.example.com/ingest', auth: { kind: 'bearer', token: refused['siem.auth.token'] } },
          redaction: { mode: 'mask', hashKey: refused['redaction.hashKey'] },
          routes: [{ name: 'webhook', siem: { url: 'https://hooks.example.com/mpas', auth: { kind: 'header', name: 'X-Api-Key', value: refused['routes.0.siem.auth.value'] } } }],
        },
      });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(Error);
    const refusalText = `${(refusal as Error).message}\n${JSON.stringify(refusal)}`;
    for (const setting of Object.keys(refused)) expect(refusalText).toContain(setting);
    places.push({ name: 'the problems of a tenant file holding secrets', text: refusalText });

    // Credentials in URLs: a tenant file may refuse them (naming the setting) or keep them out of
    // the templates; either way no canary reaches the output of `cdk synth`.
    const urlTenant = {
      deployment,
      service: {
        mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { grant: 'password' } },
        siem: { url: `https://siem.example.com/api/ingest?code=${encodeURIComponent(siemUrlCode)}`, auth: { kind: 'bearer' } },
        routes: [{ name: 'webhook', siem: { url: `https://hooks.example.com/mpas?sig=${encodeURIComponent(routeUrlSig)}`, auth: { kind: 'header' } } }],
      },
    };
    let tenant: ReturnType<typeof parseTenant> | undefined;
    try {
      tenant = parseTenant('canary', urlTenant);
    } catch (error) {
      expect(error).toBeInstanceOf(TenantConfigError);
      const text = `${(error as Error).message}\n${JSON.stringify(error)}`;
      expect(text).toContain('service.siem.url');
      expect(text).toContain('service.routes.0.siem.url');
      places.push({ name: 'the problems of a tenant file with credentials in its URLs', text });
    }
    if (tenant !== undefined) {
      // Loaded only here: aws-cdk-lib takes seconds to load, for nothing when the tenant is refused.
      const { synthesizeTenants } = await import('../../support/infra-synth.js');
      app = synthesizeTenants([tenant]);
      const assembly = filesUnder(app.outdir, 'cdk.out');
      expect(assembly.some((place) => place.name.endsWith('.template.json') && place.text.includes('"AWS::Lambda::Function"'))).toBe(true);
      places.push(...assembly);
    }

    const findings = findCanaries(canaries.list(), places);
    expect(findings.length, describeFindings(findings)).toBe(0);
  });
});
