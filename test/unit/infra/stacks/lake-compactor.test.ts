import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { LAKE_STAGING_PREFIX, LARGE_PAYLOAD_EXPIRATION_DAYS } from '../../../../infra/constructs/large-payload-bucket.js';
import { LAKE_COMPACTOR_MEMORY_MB, LAKE_COMPACTOR_TIMEOUT_SECONDS } from '../../../../infra/constructs/lake-compactor-function.js';
import { addTenantStacks } from '../../../../infra/tenant-app.js';
import { cdkContext, shippedTenant, synthesizeTenants } from '../../../support/infra-synth.js';
import type { SynthesizedApp } from '../../../support/infra-synth.js';

// Synthesis is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 180_000;
const LAKE_BUCKET = 'aws-security-data-lake-eu-central-1-abc123';
const LAKE_KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SOURCES = ['mpas-account-change', 'keycloak-logins', 'mpas-entity-mgmt', 'mpas-user-access', 'mpas-group-mgmt', 'mpas-api-activity'];

// A template's JSON, read as loosely as the assertions library hands it out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** A tenant delivering to Security Lake, a file every `minutes`. */
function lakeTenant(minutes: number) {
  return parseTenant('lake', {
    deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@lake.example', encryptionKey: 'tenant' },
    service: {
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'] },
      siem: {
        type: 'security-lake',
        securityLake: { bucket: LAKE_BUCKET, region: 'eu-central-1', accountId: '123456789012', sources: { '3002': 'keycloak-logins' }, kmsKeyArn: LAKE_KEY, fileIntervalMinutes: minutes },
      },
    },
  });
}

const ROUTE_LAKE_BUCKET = 'aws-security-data-lake-eu-central-1-def456';
const DEFAULT_SOURCES = ['mpas-account-change', 'mpas-authentication', 'mpas-entity-mgmt', 'mpas-user-access', 'mpas-group-mgmt', 'mpas-api-activity'];

/**
 * A tenant whose lakes are routes: the default SIEM is Splunk-like HTTPS with a secret, beside
 * it a lake route and a route that authenticates; `both` also makes `siem` a lake.
 */
function routedLakeTenant(name: string, siemIsLake: boolean) {
  return parseTenant(name, {
    deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@lake.example', encryptionKey: 'tenant' },
    service: {
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'] },
      siem: siemIsLake
        ? { type: 'security-lake', securityLake: { bucket: LAKE_BUCKET, region: 'eu-central-1', accountId: '123456789012', kmsKeyArn: LAKE_KEY, fileIntervalMinutes: 15 } }
        : { url: 'https://siem.example.com/in', auth: { kind: 'bearer' } },
      routes: [
        { name: 'qradar', siem: { url: 'https://qradar.example.com/in', format: 'cef', auth: { kind: 'bearer' } } },
        { name: 'lake', siem: { type: 'security-lake', securityLake: { bucket: ROUTE_LAKE_BUCKET, region: 'eu-central-1', accountId: '123456789012', fileIntervalMinutes: 15 } } },
      ],
    },
  });
}

/** A variable's JSON with the large-payload bucket's import made plain: `<bucket>`. */
const variableText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part).includes('LargePayloads') ? '<bucket>' : JSON.stringify(part))).join(join[0]);
};

function functionsOf(template: Template, prefix: string): Array<[string, Json]> {
  return Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(prefix)) as Array<[string, Json]>;
}

/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy['Properties']['Roles'] as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)),
  );
  return policies.flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Statement[]);
}

const actionsOf = (statement: Statement): string[] => ([] as string[]).concat(statement.Action);
const s3Statements = (statements: Statement[]) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
/** A resource's JSON with the partition and the bucket's logical id made plain: `arn:<bucket>/key`. */
const resourceText = (resource: unknown): string =>
  JSON.stringify(resource)
    .replaceAll(/\{"Fn::GetAtt":\["[A-Za-z0-9]+","Arn"\]\}/g, '"<bucket>"')
    .replaceAll(/\{"Fn::ImportValue":"[^"]+"\}/g, '"<bucket>"');

describe('the Security Lake compactor in the stacks', () => {
  let synthesized: SynthesizedApp;
  let service: Template;
  let data: Template;
  let other: Template;
  let daily: Template;
  let routed: Template;
  let both: Template;
  beforeAll(() => {
    const dailyTenant = { ...lakeTenant(1440), name: 'daily' };
    synthesized = synthesizeTenants([lakeTenant(5), shippedTenant('example'), dailyTenant, routedLakeTenant('routed', false), routedLakeTenant('both', true)], { nag: true });
    routed = synthesized.template('mpas-log-sync-routed-service');
    both = synthesized.template('mpas-log-sync-both-service');
    service = synthesized.template('mpas-log-sync-lake-service');
    data = synthesized.template('mpas-log-sync-lake-data');
    other = synthesized.template('mpas-log-sync-example-service');
    daily = synthesized.template('mpas-log-sync-daily-service');
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => synthesized?.dispose());

  it('exists only when SIEM_TYPE is security-lake: reserved concurrency 1, its timeout and 1024 MB', () => {
    expect(functionsOf(other, 'LakeCompactor')).toEqual([]);
    expect(Object.keys(other.findResources('AWS::Scheduler::Schedule'))).toHaveLength(1);
    const [compactor, ...more] = functionsOf(service, 'LakeCompactor');
    expect(more).toEqual([]);
    const properties = compactor![1]['Properties'];
    expect(properties['ReservedConcurrentExecutions']).toBe(1);
    expect(properties['Timeout']).toBe(LAKE_COMPACTOR_TIMEOUT_SECONDS);
    expect(properties['MemorySize']).toBe(LAKE_COMPACTOR_MEMORY_MB);
    expect(LAKE_COMPACTOR_MEMORY_MB).toBe(1024);
    expect(properties['Runtime']).toBe('nodejs24.x');
    expect(properties['Architectures']).toEqual(['arm64']);
    // The lake's settings, and the staging area in the stack's own bucket and region.
    const variables = properties['Environment']['Variables'];
    expect(variables).toMatchObject({ SIEM_TYPE: 'security-lake', SECURITY_LAKE_BUCKET: LAKE_BUCKET, SECURITY_LAKE_FILE_INTERVAL_MINUTES: '5', SECURITY_LAKE_STAGING_PREFIX: LAKE_STAGING_PREFIX, SECURITY_LAKE_STAGING_REGION: 'eu-central-1' });
    expect(JSON.stringify(variables['SECURITY_LAKE_STAGING_BUCKET'])).toMatch(/LargePayloads/);
  });

  it('is scheduled as the poller is, every SECURITY_LAKE_FILE_INTERVAL_MINUTES, with no retry', () => {
    const schedules = Object.values(service.findResources('AWS::Scheduler::Schedule')) as Json[];
    const compactorSchedule = schedules.find((schedule) => JSON.stringify(schedule['Properties']['Target']['Arn']).includes('LakeCompactor'));
    expect(compactorSchedule).toBeDefined();
    expect(compactorSchedule!['Properties']).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', Target: { RetryPolicy: { MaximumRetryAttempts: 0 } } });
    const dailySchedule = (Object.values(daily.findResources('AWS::Scheduler::Schedule')) as Json[]).find((schedule) => JSON.stringify(schedule['Properties']['Target']['Arn']).includes('LakeCompactor'));
    expect(dailySchedule!['Properties']['ScheduleExpression']).toBe('rate(1 day)');
  });

  it('gives the forwarder the staging area (PutObject under staged/ only) and no grant on the lake', () => {
    const [forwarder] = functionsOf(service, 'ForwarderFunction');
    const variables = forwarder![1]['Properties']['Environment']['Variables'];
    expect(variables).toMatchObject({ SECURITY_LAKE_STAGING_PREFIX: LAKE_STAGING_PREFIX, SECURITY_LAKE_STAGING_REGION: 'eu-central-1' });
    expect(JSON.stringify(variables['SECURITY_LAKE_STAGING_BUCKET'])).toMatch(/LargePayloads/);
    const statements = statementsOf(service, 'ForwarderRole');
    const s3 = s3Statements(statements).map((statement) => `${actionsOf(statement).join(',')} ${resourceText(statement.Resource)}`);
    expect(s3.filter((line) => line.includes('security-lake-staging'))).toEqual(['s3:PutObject {"Fn::Join":["",["<bucket>","/security-lake-staging/staged/*"]]}']);
    expect(JSON.stringify(statements)).not.toContain(LAKE_BUCKET);
    expect(JSON.stringify(statements)).not.toContain(LAKE_KEY);
  });

  it('lets the compactor read, write, delete and list the staging prefix only, put under the lake\'s ext/<source>/ only, and use both keys', () => {
    const statements = statementsOf(service, 'LakeCompactorRole');
    const s3 = s3Statements(statements);
    const objects = s3.find((statement) => actionsOf(statement).includes('s3:GetObject'))!;
    expect(actionsOf(objects).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(resourceText(objects.Resource)).toMatch(/"\/security-lake-staging\/\*"\]\]\}$/);
    const list = s3.find((statement) => actionsOf(statement).includes('s3:ListBucket'))!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': [`${LAKE_STAGING_PREFIX}*`] } });
    const lake = s3.find((statement) => JSON.stringify(statement.Resource).includes(LAKE_BUCKET))!;
    expect(actionsOf(lake)).toEqual(['s3:PutObject']);
    const lakeObjects = (lake.Resource as Json[]).map((resource) => resource['Fn::Join'][1][2] as string);
    expect(lakeObjects).toEqual([...SOURCES].sort().map((source) => `:s3:::${LAKE_BUCKET}/ext/${source}/*`));
    // Nothing else on S3: no lake read, list or delete, nothing outside the staging prefix.
    expect(s3).toHaveLength(3);
    const kms = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kms.find((statement) => statement.Resource === LAKE_KEY)).toMatchObject({ Action: 'kms:GenerateDataKey' });
    expect(kms.some((statement) => actionsOf(statement).includes('kms:Decrypt') && JSON.stringify(statement.Resource).includes('Key'))).toBe(true);
  });

  it('expires the tombstones under compacted/ in the large-payload bucket, and nothing else of the staging area', () => {
    const buckets = Object.values(data.findResources('AWS::S3::Bucket')) as Json[];
    const rules = buckets.flatMap((bucket) => (bucket['Properties']['LifecycleConfiguration']?.['Rules'] ?? []) as Json[]);
    const lakeRules = rules.filter((rule) => String(rule['Prefix']).startsWith(LAKE_STAGING_PREFIX));
    expect(lakeRules).toEqual([{ Id: 'expire-lake-tombstones', Prefix: `${LAKE_STAGING_PREFIX}compacted/`, Status: 'Enabled', ExpirationInDays: LARGE_PAYLOAD_EXPIRATION_DAYS, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    const otherData = synthesized.template('mpas-log-sync-example-data');
    expect(JSON.stringify(otherData.toJSON())).not.toContain('expire-lake-tombstones');
  });

  it('compacts a security-lake route: the forwarder stages it under its own prefix of the stack\'s bucket, the compactor sees only the lake route', () => {
    const [forwarder] = functionsOf(routed, 'ForwarderFunction');
    const forwarderVariables = forwarder![1]['Properties']['Environment']['Variables'];
    const forwarderRoutes = JSON.parse(variableText(forwarderVariables['ROUTES'])) as Array<{ name: string; siem: Json }>;
    expect(forwarderRoutes.map(({ name }) => name)).toEqual(['qradar', 'lake']);
    expect(forwarderRoutes[1]!.siem['securityLake']).toMatchObject({ bucket: ROUTE_LAKE_BUCKET, stagingBucket: '<bucket>', stagingPrefix: `${LAKE_STAGING_PREFIX}routes/lake/`, stagingRegion: 'eu-central-1' });
    expect(forwarderRoutes[0]!.siem).not.toHaveProperty('securityLake');
    expect(forwarderVariables['SIEM_TYPE']).toBe('https');
    expect(forwarderVariables).not.toHaveProperty('SECURITY_LAKE_STAGING_BUCKET');
    const forwarderS3 = s3Statements(statementsOf(routed, 'ForwarderRole')).map((statement) => `${actionsOf(statement).join(',')} ${resourceText(statement.Resource)}`);
    expect(forwarderS3.filter((line) => line.includes('security-lake-staging'))).toEqual([`s3:PutObject {"Fn::Join":["",["<bucket>","/${LAKE_STAGING_PREFIX}routes/lake/staged/*"]]}`]);

    const [compactor, ...more] = functionsOf(routed, 'LakeCompactor');
    expect(more).toEqual([]);
    const variables = compactor![1]['Properties']['Environment']['Variables'];
    // Only the lake route: no SIEM_* of the https siem, no secret, no other route.
    expect(Object.keys(variables).filter((name) => name.startsWith('SIEM_') || name.includes('SECRET'))).toEqual([]);
    const routes = JSON.parse(variableText(variables['ROUTES'])) as Array<{ name: string; siem: Json }>;
    expect(routes.map(({ name }) => name)).toEqual(['lake']);
    expect(routes[0]!.siem['securityLake']).toMatchObject({ stagingBucket: '<bucket>', stagingPrefix: `${LAKE_STAGING_PREFIX}routes/lake/`, fileIntervalMinutes: 15 });
    const schedule = (Object.values(routed.findResources('AWS::Scheduler::Schedule')) as Json[]).find((candidate) => JSON.stringify(candidate['Properties']['Target']['Arn']).includes('LakeCompactor'));
    expect(schedule!['Properties']['ScheduleExpression']).toBe('rate(15 minutes)');

    const s3 = s3Statements(statementsOf(routed, 'LakeCompactorRole'));
    const lake = s3.find((statement) => JSON.stringify(statement.Resource).includes(ROUTE_LAKE_BUCKET))!;
    expect(actionsOf(lake)).toEqual(['s3:PutObject']);
    expect((lake.Resource as Json[]).map((resource) => resource['Fn::Join'][1][2] as string)).toEqual([...DEFAULT_SOURCES].sort().map((source) => `:s3:::${ROUTE_LAKE_BUCKET}/ext/${source}/*`));
    expect(s3).toHaveLength(3);

    const rules = (Object.values(synthesized.template('mpas-log-sync-routed-data').findResources('AWS::S3::Bucket')) as Json[])
      .flatMap((bucket) => (bucket['Properties']['LifecycleConfiguration']?.['Rules'] ?? []) as Json[])
      .filter((rule) => String(rule['Prefix']).startsWith(LAKE_STAGING_PREFIX));
    expect(rules.map((rule) => `${rule['Id']} ${rule['Prefix']}`)).toEqual([`expire-lake-tombstones-routes-lake ${LAKE_STAGING_PREFIX}routes/lake/compacted/`]);
  });

  it('compacts the siem lake and a lake route with one compactor, each staged apart, and grants both lakes', () => {
    const [forwarder] = functionsOf(both, 'ForwarderFunction');
    const forwarderVariables = forwarder![1]['Properties']['Environment']['Variables'];
    expect(forwarderVariables).toMatchObject({ SIEM_TYPE: 'security-lake', SECURITY_LAKE_STAGING_PREFIX: LAKE_STAGING_PREFIX });
    const forwarderS3 = s3Statements(statementsOf(both, 'ForwarderRole')).map((statement) => `${actionsOf(statement).join(',')} ${resourceText(statement.Resource)}`);
    expect(forwarderS3.filter((line) => line.includes('security-lake-staging'))).toEqual([
      `s3:PutObject [{"Fn::Join":["",["<bucket>","/${LAKE_STAGING_PREFIX}routes/lake/staged/*"]]},{"Fn::Join":["",["<bucket>","/${LAKE_STAGING_PREFIX}staged/*"]]}]`,
    ]);
    const [compactor] = functionsOf(both, 'LakeCompactor');
    const variables = compactor![1]['Properties']['Environment']['Variables'];
    expect(variables).toMatchObject({ SIEM_TYPE: 'security-lake', SECURITY_LAKE_BUCKET: LAKE_BUCKET, SECURITY_LAKE_STAGING_PREFIX: LAKE_STAGING_PREFIX });
    expect((JSON.parse(variableText(variables['ROUTES'])) as Array<{ name: string }>).map(({ name }) => name)).toEqual(['lake']);
    const s3 = s3Statements(statementsOf(both, 'LakeCompactorRole'));
    const lakeObjects = s3
      .filter((statement) => JSON.stringify(statement.Resource).includes('aws-security-data-lake'))
      .flatMap((statement) => {
        expect(actionsOf(statement)).toEqual(['s3:PutObject']);
        return ([] as Json[]).concat(statement.Resource as Json).map((resource) => resource['Fn::Join'][1][2] as string);
      });
    const objectsOf = (bucket: string, sources: string[]) => sources.map((source) => `:s3:::${bucket}/ext/${source}/*`);
    expect(lakeObjects.sort()).toEqual([...objectsOf(LAKE_BUCKET, DEFAULT_SOURCES), ...objectsOf(ROUTE_LAKE_BUCKET, DEFAULT_SOURCES)].sort());
    const kms = statementsOf(both, 'LakeCompactorRole').filter((statement) => statement.Resource === LAKE_KEY);
    expect(kms).toEqual([expect.objectContaining({ Action: 'kms:GenerateDataKey' })]);
    const rules = (Object.values(synthesized.template('mpas-log-sync-both-data').findResources('AWS::S3::Bucket')) as Json[])
      .flatMap((bucket) => (bucket['Properties']['LifecycleConfiguration']?.['Rules'] ?? []) as Json[])
      .filter((rule) => String(rule['Prefix']).startsWith(LAKE_STAGING_PREFIX));
    expect(rules.map((rule) => rule['Prefix'])).toEqual([`${LAKE_STAGING_PREFIX}compacted/`, `${LAKE_STAGING_PREFIX}routes/lake/compacted/`]);
  });

  it('refuses, at synth, lake destinations whose intervals differ, naming them', () => {
    const tenant = routedLakeTenant('mixed', true);
    const routes = tenant.service.config.routes!.map((route) =>
      route.siem.type === 'security-lake' ? { ...route, siem: { ...route.siem, securityLake: { ...route.siem.securityLake, fileIntervalMinutes: 60 } } } : route,
    );
    const mixed = { ...tenant, service: { ...tenant.service, config: { ...tenant.service.config, routes } } };
    expect(() => addTenantStacks(new App({ context: cdkContext() }), [mixed])).toThrow('tenant mixed: the security-lake destinations ask for different fileIntervalMinutes (SECURITY_LAKE_FILE_INTERVAL_MINUTES: siem 15 min, route lake 60 min)');
  });

  it('alarms on the compactor\'s errors, names its schedule and function as outputs, and shows its report on the dashboard, only with a lake', () => {
    const alarmOf = (template: Template) =>
      (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[]).filter((alarm) => JSON.stringify(alarm['Properties']['Dimensions'] ?? []).includes('LakeCompactor'));
    for (const template of [service, routed, both]) {
      expect(alarmOf(template).map((alarm) => `${alarm['Properties']['MetricName']} ${alarm['Properties']['Statistic']}`)).toEqual(['Errors Sum']);
      const outputs = template.toJSON()['Outputs'] as Json;
      expect(JSON.stringify(outputs['LakeCompactorScheduleName']['Value'])).toMatch(/LakeCompactorSchedule/);
      expect(JSON.stringify(outputs['LakeCompactorFunctionName']['Value'])).toMatch(/LakeCompactor/);
    }
    expect(alarmOf(other)).toEqual([]);
    expect(Object.keys(other.toJSON()['Outputs'] as Json).filter((name) => name.startsWith('Lake'))).toEqual([]);
    const dashboardBodyOf = (stack: string) => JSON.stringify(Object.values(synthesized.template(stack).findResources('AWS::CloudWatch::Dashboard'))[0]);
    // One operator stack for the account and region of every tenant here, some with a lake.
    expect(dashboardBodyOf('mpas-log-sync-operator-123456789012-eu-central-1')).toContain('LakeFilesWritten');
    expect(dashboardBodyOf(`mpas-log-sync-operator-${shippedTenant('example').deployment.account}-eu-central-1`)).not.toContain('Lake');
  });

  it('passes cdk-nag AwsSolutionsChecks with no unsuppressed error or warning', () => {
    const findings = synthesized.assembly.stacks.flatMap((stack) =>
      stack.messages.filter((message) => message.level === 'error' || message.level === 'warning').map((message) => `${message.id}: ${String(message.entry.data).slice(0, 160)}`),
    );
    expect(findings).toEqual([]);
  });
});
