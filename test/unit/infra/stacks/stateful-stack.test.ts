import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cursorTable, idempotencyTable } from '../../../../lib/stores/cursor/dynamodb-tables.js';
import type { StatefulStack } from '../../../../infra/stacks/stateful-stack.js';
import { LARGE_PAYLOAD_EXPIRATION_DAYS } from '../../../../infra/constructs/large-payload-bucket.js';
import { LARGE_PAYLOAD_PREFIX } from '../../../../lib/aws/s3-payload-store.js';
import { shippedTenant, synthesizeStateful, withOwnKey } from '../../../support/infra-synth.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

const RETAINED = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

describe('StatefulStack', () => {
  let example: { stack: StatefulStack; template: Template };
  let northwind: { stack: StatefulStack; template: Template };
  beforeAll(() => {
    // A key of their own: the shared key's stack and references are shared-encryption-key.test.ts'.
    example = synthesizeStateful(withOwnKey(shippedTenant('example')));
    northwind = synthesizeStateful(withOwnKey(shippedTenant('northwind')));
  }, SYNTH_TIMEOUT_MS);

  it('has termination protection on, in the tenant file\'s account and region', () => {
    expect(example.stack.terminationProtection).toBe(true);
    expect(example.stack.account).toBe('111111111111');
    expect(example.stack.region).toBe('eu-central-1');
    expect(northwind.stack.region).toBe('eu-west-1');
  });

  it('keeps the cursor table, keyed as lib/cursor says, on demand, recoverable, encrypted with the tenant key and retained, with a TTL only the delivery records carry', () => {
    const { template } = example;
    template.hasResource('AWS::DynamoDB::Table', {
      ...RETAINED,
      Properties: {
        KeySchema: [{ AttributeName: cursorTable.partitionKey.name, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: cursorTable.partitionKey.name, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [template.getResourceId('AWS::KMS::Key'), 'Arn'] } },
        TimeToLiveSpecification: { AttributeName: cursorTable.timeToLiveAttribute, Enabled: true },
      },
    });
  });

  it("encrypts the secrets it creates with the tenant's key, and lets CloudWatch Logs use the key for this account's log groups only", () => {
    const { template } = example;
    const keyArn = { 'Fn::GetAtt': [template.getResourceId('AWS::KMS::Key'), 'Arn'] };
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret['Properties']['KmsKeyId']).toEqual(keyArn);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchLogsToEncryptTheTenantsLogGroups',
            Effect: 'Allow',
            Principal: { Service: 'logs.eu-central-1.amazonaws.com' },
            Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-central-1:111111111111:log-group:*']] } } },
          },
        ]),
      },
    });
  });

  it('keeps the idempotency table with its TTL attribute, likewise protected', () => {
    example.template.hasResource('AWS::DynamoDB::Table', {
      ...RETAINED,
      Properties: {
        KeySchema: [{ AttributeName: idempotencyTable.partitionKey.name, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: idempotencyTable.timeToLiveAttribute, Enabled: true },
        SSESpecification: Match.objectLike({ SSEType: 'KMS' }),
      },
    });
    example.template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });

  it('has one customer-managed key, rotated and retained, that CloudWatch alarms may use for the alarm topic', () => {
    const { template } = example;
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      ...RETAINED,
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
          ]),
        },
      },
    });
  });

  it('sends the queue to its dead-letter queue after the derived 13 receives, both KMS-encrypted, 1 MiB messages, retained', () => {
    const { template } = example;
    const keyArn = { 'Fn::GetAtt': [template.getResourceId('AWS::KMS::Key'), 'Arn'] };
    const dlqId = template.getResourceId('AWS::SQS::Queue', { Properties: { MessageRetentionPeriod: 14 * 86_400 } });
    template.hasResource('AWS::SQS::Queue', {
      ...RETAINED,
      Properties: {
        KmsMasterKeyId: keyArn,
        MaximumMessageSize: 1_048_576,
        MessageRetentionPeriod: 4 * 86_400,
        // 6 x the forwarder's 60 s; 13 receives ride out 12 hours of SIEM outage (test/unit/aws/retry-window.test.ts).
        VisibilityTimeout: 360,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 13 },
      },
    });
    template.hasResource('AWS::SQS::Queue', {
      ...RETAINED,
      Properties: { KmsMasterKeyId: keyArn, MaximumMessageSize: 1_048_576, MessageRetentionPeriod: 1_209_600, RedrivePolicy: Match.absent() },
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('keeps large payloads in a private bucket, encrypted with the tenant key, TLS only, retained, expiring them after 19 days', () => {
    const { template, stack } = example;
    const bucketId = stack.getLogicalId(stack.largePayloads.bucket.node.defaultChild as CfnElement);
    expect(template.toJSON()['Resources'][bucketId]).toMatchObject({
      ...RETAINED,
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [template.getResourceId('AWS::KMS::Key'), 'Arn'] } } },
          ],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        // DLQ retention (14 days) + queue retention (4) + 1: a pointer redriven on the DLQ's last day still finds its object.
        LifecycleConfiguration: {
          Rules: [{ Id: 'expire-large-payloads', Prefix: LARGE_PAYLOAD_PREFIX, Status: 'Enabled', ExpirationInDays: 19, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        },
      },
    });
    expect(LARGE_PAYLOAD_EXPIRATION_DAYS).toBe(19);
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((policy) => policy['Properties']['Bucket']['Ref'] === bucketId);
    expect(policies).toHaveLength(1);
    expect(policies[0]!['Properties']['PolicyDocument']['Statement']).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    template.hasOutput('LargePayloadBucketName', { Value: { Ref: bucketId } });
  });

  it('refuses plain HTTP on both queues', () => {
    const policies = example.template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy['Properties']['PolicyDocument']['Statement']).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('uses the tenant file\'s visibility timeout, and the receive count derived from its forwarder\'s backoff', () => {
    northwind.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 600,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: northwind.stack.retry.maxReceiveCount }),
    });
    expect(northwind.stack.retry.ridesOutSeconds).toBeGreaterThanOrEqual(43_200);
  });

  it('creates both secrets with a generated placeholder, never a value, named for the tenant and retained', () => {
    const { template } = example;
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const [name, shape] of [['mpas-log-sync/example/mpas', '{"username", "password"}'], ['mpas-log-sync/example/siem', '{"token"}']] as const) {
      template.hasResource('AWS::SecretsManager::Secret', {
        ...RETAINED,
        Properties: {
          Name: name,
          Description: Match.stringLikeRegexp(shape.replace(/[{}]/g, '.')),
          GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'placeholder', ExcludePunctuation: true },
          SecretString: Match.absent(),
        },
      });
    }
    expect(example.stack.mpasSecret.created).toBe(true);
  });

  it('describes the SIEM secret\'s JSON shape for each kind of SIEM authentication, the API key of Elastic and Datadog included', () => {
    const tenant = shippedTenant('example');
    for (const [kind, shape] of [['apiKey', '{"apiKey"}'], ['basic', '{"username", "password"}'], ['header', '{"authHeader": "Name: value"}']] as const) {
      const { template } = synthesizeStateful({ ...tenant, service: { ...tenant.service, siemAuthKind: kind } });
      template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'mpas-log-sync/example/siem', Description: `SIEM credentials of mpas-log-sync example: JSON ${shape}` });
    }
  });

  it('names its tables, queues and key in outputs for the runbook, and the archive only when there is one', () => {
    const { template } = example;
    template.hasOutput('CursorTableName', { Value: { Ref: template.getResourceId('AWS::DynamoDB::Table', { Properties: { KeySchema: [{ AttributeName: cursorTable.partitionKey.name, KeyType: 'HASH' }] } }) } });
    template.hasOutput('DeadLetterQueueArn', { Value: { 'Fn::GetAtt': [template.getResourceId('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.absent() } }), 'Arn'] } });
    for (const name of ['QueueUrl', 'QueueArn', 'DeadLetterQueueUrl', 'KeyArn']) template.hasOutput(name, {});
    const archiveOutputs = (of: Template) => Object.keys(of.findOutputs('*')).filter((name) => name.startsWith('Archive')).sort();
    expect(archiveOutputs(template)).toEqual([]);
    expect(archiveOutputs(northwind.template)).toEqual(['ArchiveBucketName', 'ArchiveDatabaseName']);
  });

  it('imports the secrets the tenant file names instead of creating them', () => {
    northwind.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(northwind.stack.mpasSecret).toMatchObject({ created: false, secretId: 'northwind/mpas-log-sync/mpas' });
    expect(northwind.stack.siemSecret).toMatchObject({ created: false, secretId: 'northwind/mpas-log-sync/siem' });
  });

  it('creates no SIEM secret for a SIEM without authentication', () => {
    const tenant = shippedTenant('example');
    const open = { ...tenant, service: { ...tenant.service, siemAuthKind: 'none' as const } };
    const { stack, template } = synthesizeStateful(open);
    expect(stack.siemSecret).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});
