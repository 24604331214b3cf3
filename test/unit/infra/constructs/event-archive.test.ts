import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTenant } from '../../../../infra/config/load-tenants.js';
import { TenantConfigError } from '../../../../infra/config/infra-errors.js';
import { ARCHIVE_PREFIX, ARCHIVE_TABLE_NAME } from '../../../../infra/constructs/event-archive.js';
import type { StatefulStack } from '../../../../infra/stacks/stateful-stack.js';
import { shippedTenant, synthesizeStateful, withOwnKey } from '../../../support/infra-synth.js';

// Synthesis is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

const RETAINED = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

// A template's JSON, read as loosely as the assertions library hands it out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe('EventArchive', () => {
  // northwind.json asks for the archive (400 days); example.json does not.
  let archived: { stack: StatefulStack; template: Template };
  let plain: { stack: StatefulStack; template: Template };
  let bucketId: string;
  let table: Json;
  beforeAll(() => {
    archived = synthesizeStateful(withOwnKey(shippedTenant('northwind')));
    plain = synthesizeStateful(shippedTenant('example'));
    bucketId = archived.template.getResourceId('AWS::S3::Bucket', {
      Properties: { LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'expire-archived-events' })] } },
    });
    table = Object.values(archived.template.findResources('AWS::Glue::Table'))[0]!['Properties']['TableInput'];
  }, SYNTH_TIMEOUT_MS);

  it('makes no bucket, no Glue database and no table unless the tenant file enables the archive', () => {
    expect(plain.stack.archive).toBeUndefined();
    for (const type of ['AWS::Glue::Database', 'AWS::Glue::Table']) plain.template.resourceCountIs(type, 0);
    // The one bucket is the large payloads', which every tenant has.
    for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy']) plain.template.resourceCountIs(type, 1);
    expect(Object.keys(plain.template.findResources('AWS::S3::Bucket'))).toEqual([
      plain.stack.getLogicalId(plain.stack.largePayloads.bucket.node.defaultChild as CfnElement),
    ]);
    expect(shippedTenant('example').deployment.archive).toEqual({ enabled: false, retentionDays: 90, dailyVerification: false });
  });

  it('keeps the archive in a private bucket, encrypted with the tenant key, unversioned, retained, expiring after the retention', () => {
    const { template } = archived;
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      ...RETAINED,
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [template.getResourceId('AWS::KMS::Key'), 'Arn'] } },
            },
          ],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: Match.absent(),
        LifecycleConfiguration: {
          Rules: [{ Id: 'expire-archived-events', Prefix: ARCHIVE_PREFIX, Status: 'Enabled', ExpirationInDays: 400, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        },
      },
    });
  });

  it('refuses plain HTTP on the bucket', () => {
    const policies = Object.values(archived.template.findResources('AWS::S3::BucketPolicy')).filter((policy) => policy['Properties']['Bucket']['Ref'] === bucketId);
    expect(policies).toHaveLength(1);
    expect(policies[0]!['Properties']['PolicyDocument']['Statement']).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('describes the objects in a Glue table of the seed\'s columns, in the tenant\'s own database', () => {
    const { template } = archived;
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'mpas_log_sync_northwind' } });
    template.hasResourceProperties('AWS::Glue::Table', { DatabaseName: { Ref: template.getResourceId('AWS::Glue::Database') } });
    expect(table['Name']).toBe(ARCHIVE_TABLE_NAME);
    expect(table['TableType']).toBe('EXTERNAL_TABLE');
    expect(table['StorageDescriptor']['Columns'].map(({ Name, Type }: Json) => `${Name} ${Type}`)).toEqual([
      'key string',
      'eventid string',
      'message string',
      'host string',
      'params map<string,string>',
      'date timestamp',
    ]);
    expect(table['PartitionKeys'].map(({ Name, Type }: Json) => `${Name} ${Type}`)).toEqual(['day string']);
  });

  it('reads gzip NDJSON with the Hive JSON SerDe at s3://<bucket>/events/, ISO-8601 times as timestamps', () => {
    const storage = table['StorageDescriptor'];
    expect(storage['Location']).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${ARCHIVE_PREFIX}`]] });
    expect(storage).toMatchObject({
      Compressed: true,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe', Parameters: { 'timestamp.formats': "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" } },
    });
    expect(table['Parameters']).toMatchObject({ classification: 'json', compressionType: 'gzip', EXTERNAL: 'TRUE' });
  });

  it('projects one partition per day of the retention onto the writer\'s date=yyyy-MM-dd/ keys, so no crawler is needed', () => {
    expect(table['Parameters']).toMatchObject({
      'projection.enabled': 'true',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
      'projection.day.range': 'NOW-400DAYS,NOW',
      'projection.day.interval': '1',
      'projection.day.interval.unit': 'DAYS',
      'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${ARCHIVE_PREFIX}date=\${day}/`]] },
    });
    archived.template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('refuses an archive setting of the wrong kind in the tenant file, naming it', () => {
    const file = { deployment: { account: '111111111111', region: 'eu-central-1', alarmEmail: 'soc@example.com', archive: { enabled: 'yes', retentionDays: 0, days: 3 } }, service: passingService() };
    let caught: unknown;
    try {
      parseTenant('acme', file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TenantConfigError);
    expect((caught as TenantConfigError).problems.map(({ setting, message }) => `${setting}: ${message}`).sort()).toEqual([
      'deployment.archive.days: is not a known setting',
      'deployment.archive.enabled: must be true or false',
      'deployment.archive.retentionDays: must be an integer from 1 to 36500 (days)',
    ]);
  });
});

/** The service section of a tenant file that passes. */
function passingService(): Record<string, unknown> {
  return {
    mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'], credentials: { grant: 'password' } },
    siem: { url: 'https://siem.example.com/ingest', auth: { kind: 'bearer' } },
  };
}
