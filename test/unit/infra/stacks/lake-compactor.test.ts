import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { LAKE_STAGING_PREFIX, LARGE_PAYLOAD_EXPIRATION_DAYS } from '../../../../infra/constructs/large-payload-bucket.js';
import { LAKE_COMPACTOR_MEMORY_MB, LAKE_COMPACTOR_TIMEOUT_SECONDS } from '../../../../infra/constructs/lake-compactor-function.js';
import { shippedTenant, synthesizeTenants } from '../../../support/infra-synth.js';
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
  beforeAll(() => {
    const dailyTenant = { ...lakeTenant(1440), name: 'daily' };
    synthesized = synthesizeTenants([lakeTenant(5), shippedTenant('example'), dailyTenant], { nag: true });
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

  it('passes cdk-nag AwsSolutionsChecks with no unsuppressed error or warning', () => {
    const findings = synthesized.assembly.stacks.flatMap((stack) =>
      stack.messages.filter((message) => message.level === 'error' || message.level === 'warning').map((message) => `${message.id}: ${String(message.entry.data).slice(0, 160)}`),
    );
    expect(findings).toEqual([]);
  });
});
