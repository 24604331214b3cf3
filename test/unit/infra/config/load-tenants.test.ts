import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TenantConfigError } from '../../../../infra/config/infra-errors.js';
import type { TenantProblem } from '../../../../infra/config/infra-errors.js';
import { loadTenants, parseTenant, tenantsDirectory } from '../../../../infra/config/load-tenants.js';
import { shippedTenant } from '../../../support/infra-synth.js';

/** The smallest tenant file that deploys. */
function tenantFile(overrides: { deployment?: Record<string, unknown>; service?: Record<string, unknown> } = {}) {
  return {
    deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com', ...overrides.deployment },
    service: {
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'] },
      siem: { url: 'https://siem.example.com/ingest', auth: { kind: 'bearer' } },
      ...overrides.service,
    },
  };
}

function problemsOf(run: () => unknown): readonly TenantProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof TenantConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a TenantConfigError');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenants-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parseTenant', () => {
  it('fills every deployment default for the shipped example tenant', () => {
    const tenant = shippedTenant('example');
    expect(tenant.name).toBe('example');
    expect(tenant.deployment).toEqual({
      account: '111111111111',
      region: 'eu-central-1',
      scheduleMinutes: 1,
      alarmEmail: 'secops-alerts@example.com',
      lagAlarmSeconds: 900,
      logRetentionDays: 90,
      xray: false,
      encryptionKey: 'shared',
      paused: false,
      poller: { timeoutSeconds: 75, memoryMb: 512, budgetShare: 0.8 },
      forwarder: { timeoutSeconds: 60, memoryMb: 512, batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2, retryBaseSeconds: 30, retryMaxSeconds: 43_200 },
      queue: {},
      secretNames: {},
      archive: { enabled: false, retentionDays: 90, dailyVerification: false },
    });
    expect(tenant.service.config.tenant).toBe('example');
    expect(tenant.service.mpasGrant).toBe('password');
    expect(tenant.service.siemAuthKind).toBe('bearer');
  });

  it('reads the second shipped tenant with its own settings', () => {
    const tenant = shippedTenant('northwind');
    expect(tenant.deployment.scheduleMinutes).toBe(5);
    expect(tenant.deployment.forwarder).toMatchObject({ batchSize: 50, batchingWindowSeconds: 10, maxConcurrency: 5, timeoutSeconds: 90 });
    expect(tenant.deployment.secretNames).toEqual({ mpas: 'northwind/mpas-log-sync/mpas', siem: 'northwind/mpas-log-sync/siem' });
    expect(tenant.deployment.archive).toEqual({ enabled: true, retentionDays: 400, dailyVerification: true });
    expect(tenant.deployment.cursorExpiryAlarmPercent).toBe(50);
    expect(tenant.service.mpasGrant).toBe('client_credentials');
    expect(tenant.service.siemAuthKind).toBe('header');
    expect(tenant.service.config.mpas.realms).toEqual(['staff', 'partners']);
  });

  it('takes the tenant name from the file and refuses a different one in the service settings', () => {
    expect(parseTenant('acme', tenantFile()).service.config.tenant).toBe('acme');
    expect(problemsOf(() => parseTenant('acme', tenantFile({ service: { tenant: 'other' } }), 'acme.json'))).toEqual([
      { file: 'acme.json', setting: 'service.tenant', message: "must be left out or match the file's name (acme)" },
    ]);
  });

  it('refuses every secret by name and never repeats its value', () => {
    const content = tenantFile({
      service: {
        mpas: { baseUrl: 'https://mpas.example.com', realms: ['r'], credentials: { grant: 'password', username: 'sync', password: 'hunter2-mpas' } },
        siem: { url: 'https://siem.example.com', auth: { kind: 'bearer', token: 'tok-siem-123' } },
        redaction: { hashKey: 'k'.repeat(32) },
      },
    });
    let error: unknown;
    try {
      parseTenant('acme', content, 'acme.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TenantConfigError);
    const { problems, message } = error as TenantConfigError;
    expect(problems.map((problem) => problem.setting).sort()).toEqual([
      'service.mpas.credentials.password',
      'service.mpas.credentials.username',
      'service.redaction.hashKey',
      'service.siem.auth.token',
    ]);
    expect(problems.find((problem) => problem.setting === 'service.siem.auth.token')?.message).toMatch(/Secrets Manager secret, never in the tenant file/);
    expect(message).not.toMatch(/hunter2-mpas|tok-siem-123|kkkkkkkk/);
  });

  it('reports every problem of both sections at once, each under its file and setting', () => {
    const content = tenantFile({
      deployment: { account: '12345', region: 'Frankfurt', alarmEmail: 'not-an-address', surprise: true, forwarder: { batchSize: 0 } },
      service: { mpas: { baseUrl: 'ftp://mpas', realms: [] }, siem: { url: 'https://siem.example.com', auth: { kind: 'bearer' } } },
    });
    const problems = problemsOf(() => parseTenant('acme', content, 'infra/tenants/acme.json'));
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: 'infra/tenants/acme.json', setting: 'deployment.account', message: 'must be a 12-digit AWS account id' },
        { file: 'infra/tenants/acme.json', setting: 'deployment.region', message: 'must be an AWS region such as eu-central-1' },
        { file: 'infra/tenants/acme.json', setting: 'deployment.alarmEmail', message: 'must be an e-mail address' },
        { file: 'infra/tenants/acme.json', setting: 'deployment.surprise', message: 'is not a known setting' },
        { file: 'infra/tenants/acme.json', setting: 'deployment.forwarder.batchSize', message: 'must be an integer from 1 to 10000' },
        { file: 'infra/tenants/acme.json', setting: 'service.mpas.baseUrl', message: 'must be an absolute http:// or https:// URL' },
        { file: 'infra/tenants/acme.json', setting: 'service.mpas.realms', message: 'must name at least one realm' },
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('names a missing section and a missing required setting', () => {
    expect(problemsOf(() => parseTenant('acme', { service: tenantFile().service }, 'acme.json'))).toEqual([
      { file: 'acme.json', setting: 'deployment', message: 'is required' },
    ]);
    const { alarmEmail: _dropped, ...deployment } = tenantFile().deployment;
    expect(problemsOf(() => parseTenant('acme', { deployment, service: tenantFile().service }, 'acme.json'))).toEqual([
      { file: 'acme.json', setting: 'deployment.alarmEmail', message: 'is required' },
    ]);
  });

  it('refuses what the Lambda deployment cannot do: local files, state directory, hash redaction', () => {
    const content = tenantFile({
      service: {
        mpas: { baseUrl: 'https://mpas.example.com', realms: ['r'], caFile: '/etc/ca.pem' },
        siem: { url: 'https://siem.example.com', auth: { kind: 'none' } },
        stateDir: '/var/lib/x',
        polling: { intervalMs: 5000 },
        redaction: { mode: 'hash' },
      },
    });
    const settings = problemsOf(() => parseTenant('acme', content)).map((problem) => problem.setting);
    expect(settings.sort()).toEqual(['service.mpas.caFile', 'service.redaction.mode', 'service.stateDir']);
  });

  it('compiles the filter, so a bad one fails with the path of its bad node', () => {
    const content = tenantFile({ service: { filter: { AND: [{ 'event.type': { equals: 'LOGIN' } }, { NOT: 'x' }] } } });
    const [problem, ...rest] = problemsOf(() => parseTenant('acme', content));
    expect(rest).toEqual([]);
    expect(problem?.setting).toBe('service.filter.AND[1].NOT');
  });

  it('refuses a file name that is not a tenant name', () => {
    expect(problemsOf(() => parseTenant('Acme Corp', tenantFile(), 'Acme Corp.json'))).toEqual([
      { file: 'Acme Corp.json', setting: 'file name', message: 'must be 1 to 40 lowercase letters, digits or dashes, then .json' },
    ]);
  });
});

describe('loadTenants', () => {
  function write(name: string, content: unknown): void {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }

  it('loads one tenant by name, or every tenant file for all or no selection', () => {
    write('beta.json', tenantFile());
    write('alpha.json', tenantFile());
    write('notes.txt', 'not a tenant');
    expect(loadTenants(dir, 'beta').map((tenant) => tenant.name)).toEqual(['beta']);
    expect(loadTenants(dir, 'all').map((tenant) => tenant.name)).toEqual(['alpha', 'beta']);
    expect(loadTenants(dir, undefined).map((tenant) => tenant.name)).toEqual(['alpha', 'beta']);
  });

  it('names the tenantsDir context when the directory does not exist', () => {
    const missing = join(dir, 'no-such-shard');
    expect(problemsOf(() => loadTenants(missing, 'all'))).toEqual([{ setting: 'tenantsDir (the -c tenantsDir=<path> context)', message: `${missing} does not exist` }]);
  });

  it('names the available tenants when the selection names none', () => {
    write('alpha.json', tenantFile());
    expect(() => loadTenants(dir, 'gamma')).toThrow(/tenant \(the -c tenant=<name> context\): names no tenant file in .*: choose one of alpha or all/);
  });

  it('reports the problems of every bad file with the file, the setting and what is wrong', () => {
    write('alpha.json', tenantFile({ deployment: { scheduleMinutes: 0 } }));
    write('beta.json', '{ "deployment": ');
    write('gamma.json', tenantFile());
    let error: unknown;
    try {
      loadTenants(dir, 'all', dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TenantConfigError);
    expect((error as Error).message).toBe(
      [
        'invalid tenant configuration (2 problems):',
        'deployment.scheduleMinutes (in alpha.json): must be an integer from 1 to 1440 (minutes)',
        '(the file) (in beta.json): is not valid JSON',
      ].join('\n'),
    );
  });

  it('says so when the directory holds no tenant file', () => {
    expect(() => loadTenants(dir, undefined)).toThrow(/no tenant file \(<name>\.json\)/);
  });
});

describe('parseTenant and the functions\' environment', () => {
  it('refuses settings that no environment variable carries to the functions, naming each', () => {
    const content = tenantFile({
      service: {
        routes: [{ name: 'archive-siem', siem: { url: 'https://other.example.com', auth: { kind: 'none' } } }],
        archive: { enabled: true },
      },
    });
    const problems = problemsOf(() => parseTenant('acme', content, 'acme.json'));
    expect(problems).toEqual(
      expect.arrayContaining([{ file: 'acme.json', setting: 'service.archive', message: 'cannot reach the Lambda functions yet: no environment variable carries it' }]),
    );
    expect(problems.every((problem) => problem.setting.startsWith('service.archive'))).toBe(true);
  });

  it('refuses defaultRoute false beside siem, which no variable carries, and says what does the same', () => {
    const content = tenantFile({ service: { routes: [{ name: 'other', siem: { url: 'https://other.example.com' } }], defaultRoute: false } });
    expect(problemsOf(() => parseTenant('acme', content, 'acme.json'))).toEqual([
      { file: 'acme.json', setting: 'service.defaultRoute', message: expect.stringMatching(/^false cannot reach the Lambda functions .*leave out siem instead/) },
    ]);
  });

  it('takes routes beside siem, and knows which routes authenticate (each gets a secret)', () => {
    const routes = [
      { name: 'qradar', siem: { url: 'https://qradar.example.com/in', format: 'cef', auth: { kind: 'bearer' } } },
      { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } }, redaction: { mode: 'remove' } },
      { name: 'elastic', siem: { type: 'elastic', url: 'https://es.example.com:9200', auth: { kind: 'apiKey' } } },
    ];
    const { service } = parseTenant('acme', tenantFile({ service: { routes } }));
    expect(service.config.routes?.map((route) => route.name)).toEqual(['qradar', 'webhook', 'elastic']);
    expect([...service.routeAuthKinds]).toEqual([['qradar', 'bearer'], ['elastic', 'apiKey']]);
    expect(service.siemAuthKind).toBe('bearer');
  });

  it('needs no SIEM secret when the routes are the only destinations', () => {
    const content = tenantFile({ service: { routes: [{ name: 'qradar', siem: { url: 'https://qradar.example.com/in', auth: { kind: 'basic' } } }] } });
    delete (content.service as Record<string, unknown>)['siem'];
    const { service } = parseTenant('acme', content);
    expect(service.config.defaultRoute).toBe(false);
    expect(service.siemAuthKind).toBe('none');
    expect([...service.routeAuthKinds]).toEqual([['qradar', 'basic']]);
  });

  it("compiles each route's filter, so a bad one fails with the route and the path of its bad node", () => {
    const routes = [{ name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { OR: [{ 'event.type': { equalz: 'LOGIN_ERROR' } }] } }];
    const problems = problemsOf(() => parseTenant('acme', tenantFile({ service: { routes } }), 'acme.json'));
    expect(problems).toEqual([expect.objectContaining({ file: 'acme.json', setting: expect.stringMatching(/^service\.routes\.0\.filter\.OR/) })]);
  });

  it('refuses an existing secret named for a route that has no credentials or does not exist', () => {
    const routes = [
      { name: 'qradar', siem: { url: 'https://qradar.example.com/in', auth: { kind: 'bearer' } } },
      { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' } },
    ];
    const content = tenantFile({ deployment: { secretNames: { routes: { qradar: 'soc/qradar', webhook: 'soc/webhook', qradr: 'soc/typo' } } }, service: { routes } });
    expect(problemsOf(() => parseTenant('acme', content, 'acme.json'))).toEqual([
      { file: 'acme.json', setting: 'deployment.secretNames.routes.webhook', message: 'names no route of service.routes whose siem.auth kind needs a secret' },
      { file: 'acme.json', setting: 'deployment.secretNames.routes.qradr', message: 'names no route of service.routes whose siem.auth kind needs a secret' },
    ]);
    const fine = tenantFile({ deployment: { secretNames: { routes: { qradar: 'soc/qradar' } } }, service: { routes } });
    expect(parseTenant('acme', fine).deployment.secretNames.routes).toEqual({ qradar: 'soc/qradar' });
  });

  it("refuses a route's secrets, local files and hash redaction by name, never repeating a value", () => {
    const routes = [
      { name: 'a', siem: { url: 'https://a.example.com', auth: { kind: 'bearer', token: 'tok-SECRET-1' }, caFile: '/etc/ca.pem' } },
      { name: 'b', siem: { url: 'https://b.example.com', auth: { kind: 'basic', username: 'u', password: 'pw-SECRET-2' } }, redaction: { mode: 'hash', hashKey: 'key-SECRET-3-long-enough' } },
    ];
    const problems = problemsOf(() => parseTenant('acme', tenantFile({ service: { routes } }), 'acme.json'));
    const settings = problems.map((problem) => problem.setting);
    expect(settings).toEqual(
      expect.arrayContaining([
        'service.routes.0.siem.auth.token',
        'service.routes.0.siem.caFile',
        'service.routes.1.siem.auth.password',
        'service.routes.1.siem.auth.username',
        'service.routes.1.redaction.hashKey',
        'service.routes.1.redaction.mode',
      ]),
    );
    expect(problems.find((problem) => problem.setting === 'service.routes.0.siem.auth.token')?.message).toMatch(/route's Secrets Manager secret/);
    expect(JSON.stringify(problems)).not.toMatch(/SECRET-\d/);
  });

  it('accepts an API key SIEM auth, the key itself refused like every secret', () => {
    const withKind = tenantFile({ service: { siem: { type: 'elastic', url: 'https://es.example.com:9200', auth: { kind: 'apiKey' } } } });
    expect(parseTenant('acme', withKind).service.siemAuthKind).toBe('apiKey');
    const withKey = tenantFile({ service: { siem: { type: 'elastic', url: 'https://es.example.com:9200', auth: { kind: 'apiKey', apiKey: 'k-123' } } } });
    expect(problemsOf(() => parseTenant('acme', withKey)).map((problem) => problem.setting)).toContain('service.siem.auth.apiKey');
  });

  it('refuses a SIEM client secret (an Entra ID app registration\'s) in the tenant file, with the reason', () => {
    const file = tenantFile({ service: { siem: { url: 'https://siem.example.com/ingest', auth: { kind: 'clientSecret', clientSecret: 'cs-123' } } } });
    const problems = problemsOf(() => parseTenant('acme', file));
    expect(problems).toContainEqual(expect.objectContaining({ setting: 'service.siem.auth.clientSecret', message: expect.stringMatching(/^is a secret: it belongs in the tenant's Secrets Manager secret/) }));
    expect(JSON.stringify(problems)).not.toContain('cs-123');
  });
});

describe('tenantsDirectory', () => {
  it('is the default without the context, and the context resolved against the working directory with it', () => {
    expect(tenantsDirectory(undefined, '/repo/infra/tenants/', '/repo')).toBe('/repo/infra/tenants/');
    expect(tenantsDirectory('shards/eu-1', '/repo/infra/tenants/', '/repo')).toBe('/repo/shards/eu-1');
    expect(tenantsDirectory('/srv/tenants', '/repo/infra/tenants/', '/repo')).toBe('/srv/tenants');
  });

  it('refuses an empty or non-text context, naming the context', () => {
    for (const context of ['', '  ', 42, { path: 'x' }]) {
      expect(problemsOf(() => tenantsDirectory(context, '/repo/infra/tenants/'))).toEqual([
        { setting: 'tenantsDir (the -c tenantsDir=<path> context)', message: 'must be the path of a directory of tenant files' },
      ]);
    }
  });
});
