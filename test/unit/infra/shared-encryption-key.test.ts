import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantConfigError } from '../../../infra/config/infra-errors.js';
import { parseTenant } from '../../../infra/config/load-tenants.js';
import type { TenantDeployment } from '../../../infra/config/load-tenants.js';
import { ROOT, shippedTenant, synthesizeTenants, withOwnKey } from '../../support/infra-synth.js';
import type { SynthesizedApp } from '../../support/infra-synth.js';

// Synthesis is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

const OPERATOR = 'mpas-log-sync-operator-111111111111-eu-central-1';
const OWN_KEY_OPERATOR = 'mpas-log-sync-operator-222222222222-eu-west-1';
const RETIRED_KEY_ARN = 'arn:aws:kms:eu-central-1:111111111111:key/0b7c2a1e-4d5f-4a6b-9c8d-1e2f3a4b5c6d';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Two shared-key tenants in one account and region (the second switched from a key of its own), and one with its own key elsewhere. */
function tenants(): TenantDeployment[] {
  const example = shippedTenant('example');
  const switched: TenantDeployment = { ...example, name: 'example-two', deployment: { ...example.deployment, retiredKeyArn: RETIRED_KEY_ARN } };
  return [example, switched, withOwnKey(shippedTenant('northwind'))];
}

function parse(deployment: Json): TenantDeployment {
  const file = JSON.parse(readFileSync(join(ROOT, 'infra', 'tenants', 'example.json'), 'utf8')) as { deployment: Json; service: Json };
  return parseTenant('example', { ...file, deployment: { ...file.deployment, ...deployment } });
}

function problemsOf(deployment: Json): unknown {
  try {
    parse(deployment);
  } catch (error) {
    if (error instanceof TenantConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the KMS key of the tenants\' data: the operator stack\'s, shared, or the tenant\'s own', () => {
  let app: SynthesizedApp;
  const resourcesOf = (stack: string) => (app.assembly.getStackByName(stack).template as { Resources: Record<string, Resource> }).Resources;
  const ofType = (stack: string, type: string) => Object.entries(resourcesOf(stack)).filter(([, resource]) => resource.Type === type);
  const statementsOf = (stack: string, rolePrefix: string): Statement[] =>
    ofType(stack, 'AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties!['Roles'] as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)))
      .flatMap(([, policy]) => (policy.Properties!['PolicyDocument'] as { Statement: Statement[] }).Statement);
  const importsOf = (stack: string) => [...JSON.stringify(resourcesOf(stack)).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((match) => match[1]!);

  beforeAll(() => {
    app = synthesizeTenants(tenants(), { nag: true });
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => app?.dispose());

  it('makes one key per account and region, in its operator stack, rotated and retained, and none in the shared-key tenants\' data stacks', () => {
    const keys = ofType(OPERATOR, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(keys[0]![1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    for (const stack of ['mpas-log-sync-example-data', 'mpas-log-sync-example-two-data']) expect(ofType(stack, 'AWS::KMS::Key'), stack).toEqual([]);
  });

  it('encrypts every table, queue, bucket and created secret of a shared-key tenant, and its log groups and alarm topic, with the operator stack\'s key', () => {
    const sharedKeyId = ofType(OPERATOR, 'AWS::KMS::Key')[0]![0];
    const keyOf: Record<string, (properties: Json) => unknown> = {
      'AWS::DynamoDB::Table': (properties) => (properties['SSESpecification'] as Json)['KMSMasterKeyId'],
      'AWS::SQS::Queue': (properties) => properties['KmsMasterKeyId'],
      'AWS::S3::Bucket': (properties) => JSON.stringify(properties['BucketEncryption']).match(/"KMSMasterKeyID":(\{[^}]*\})/)?.[1],
      'AWS::SecretsManager::Secret': (properties) => properties['KmsKeyId'],
      'AWS::Logs::LogGroup': (properties) => properties['KmsKeyId'],
      'AWS::SNS::Topic': (properties) => properties['KmsMasterKeyId'],
    };
    let checked = 0;
    for (const stack of ['mpas-log-sync-example-data', 'mpas-log-sync-example-service']) {
      for (const [type, keyIn] of Object.entries(keyOf)) {
        for (const [id, resource] of ofType(stack, type)) {
          const key = keyIn(resource.Properties!);
          expect(typeof key === 'string' ? JSON.parse(key) : key, `${stack} ${id}`).toEqual({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^${OPERATOR}:ExportsOutputFnGetAtt${sharedKeyId}Arn`)) });
          checked += 1;
        }
      }
    }
    // 2 tables, 2 queues, 1 bucket, 2 secrets; 2 log groups and the topic.
    expect(checked).toBe(10);
  });

  it('lets CloudWatch Logs use the shared key for log groups of its account and region only, and CloudWatch publish to the alarm topics', () => {
    const [, key] = ofType(OPERATOR, 'AWS::KMS::Key')[0]!;
    const statements = (key.Properties!['KeyPolicy'] as { Statement: Json[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'AllowCloudWatchLogsToEncryptTheTenantsLogGroups',
          Principal: { Service: 'logs.eu-central-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-central-1:111111111111:log-group:*']] } } },
        }),
        expect.objectContaining({ Sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedAlarmTopic', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
      ]),
    );
    // The tenants' roles are granted in their own policies (the account delegates to IAM): no role is named in the key policy,
    // which no data stack could change without the operator stack depending on it.
    expect(JSON.stringify(statements)).not.toMatch(/Role|mpas-log-sync-example/);
  });

  it('deploys the operator stack before the data stacks that take its key', () => {
    for (const tenant of ['example', 'example-two']) {
      expect(app.assembly.getStackByName(`mpas-log-sync-${tenant}-data`).dependencies.map((dependency) => dependency.id)).toContain(OPERATOR);
    }
    const order = app.assembly.stacks.map((stack) => stack.stackName);
    expect(order.indexOf(OPERATOR)).toBeLessThan(order.indexOf('mpas-log-sync-example-data'));
    expect(app.assembly.getStackByName('mpas-log-sync-northwind-data').dependencies.map((dependency) => dependency.id)).not.toContain(OWN_KEY_OPERATOR);
  });

  it('gives a tenant whose file says "tenant" a key of its own, as before, and its operator stack no key', () => {
    const [keys, others] = [ofType('mpas-log-sync-northwind-data', 'AWS::KMS::Key'), ofType(OWN_KEY_OPERATOR, 'AWS::KMS::Key')];
    expect(keys).toHaveLength(1);
    expect(keys[0]![1]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    expect(others).toEqual([]);
    expect(importsOf('mpas-log-sync-northwind-data')).toEqual([]);
  });

  it('grants a tenant\'s roles nothing of another tenant: every reference of its service stack is its own data stack or the shared key', () => {
    for (const tenant of ['example', 'example-two']) {
      const foreign = importsOf(`mpas-log-sync-${tenant}-service`).filter((name) => !name.startsWith(`mpas-log-sync-${tenant}-data:`) && !/^mpas-log-sync-operator-111111111111-eu-central-1:ExportsOutputFnGetAttSharedKey/.test(name));
      expect(foreign, tenant).toEqual([]);
    }
    expect(JSON.stringify(resourcesOf('mpas-log-sync-example-service'))).not.toContain('example-two');
  });

  it('lets the functions of a tenant that switched still decrypt with its retired key, and no other tenant\'s', () => {
    const retiredDecrypts = (tenant: string, role: string) =>
      statementsOf(`mpas-log-sync-${tenant}-service`, role).filter((statement) => statement.Resource === RETIRED_KEY_ARN);
    for (const role of ['PollerRole', 'ForwarderRole']) {
      expect(retiredDecrypts('example-two', role), role).toEqual([expect.objectContaining({ Action: 'kms:Decrypt' })]);
      expect(retiredDecrypts('example', role), role).toEqual([]);
    }
  });

  it('passes cdk-nag with the shared key', () => {
    const findings = app.assembly.stacks.flatMap((stack) => stack.messages.filter((message) => message.level === 'error' || message.level === 'warning').map((message) => `${stack.stackName} ${message.id}`));
    expect(findings).toEqual([]);
  });
});

describe('deployment.encryptionKey and deployment.retiredKeyArn in a tenant file', () => {
  it('defaults to the shared key, and takes "tenant"', () => {
    expect(parse({}).deployment.encryptionKey).toBe('shared'); // the shipped file says so
    const { encryptionKey: _shipped, ...unset } = JSON.parse(readFileSync(join(ROOT, 'infra', 'tenants', 'example.json'), 'utf8')).deployment as Json;
    expect(parseTenant('example', { ...JSON.parse(readFileSync(join(ROOT, 'infra', 'tenants', 'example.json'), 'utf8')), deployment: unset }).deployment.encryptionKey).toBe('tenant');
    expect(parse({ encryptionKey: 'tenant' }).deployment.encryptionKey).toBe('tenant');
  });

  it('refuses any other value, naming the setting and the two choices', () => {
    expect(problemsOf({ encryptionKey: 'own' })).toEqual([
      { file: 'example.json', setting: 'deployment.encryptionKey', message: 'must be "shared" (the operator stack\'s key, one per account and region) or "tenant" (a key of its own)' },
    ]);
  });

  it('refuses a retired key that is not a KMS key ARN, or with a key of the tenant\'s own', () => {
    expect(problemsOf({ retiredKeyArn: 'alias/mpas' })).toEqual([
      { file: 'example.json', setting: 'deployment.retiredKeyArn', message: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)' },
    ]);
    expect(problemsOf({ encryptionKey: 'tenant', retiredKeyArn: RETIRED_KEY_ARN })).toEqual([
      { file: 'example.json', setting: 'deployment.retiredKeyArn', message: 'needs encryptionKey "shared": it names the key a tenant used before it switched to the shared one' },
    ]);
  });
});
