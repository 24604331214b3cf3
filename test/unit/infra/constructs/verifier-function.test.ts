import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketDefaults, tableDefaults } from '../../../../infra/constructs/secure-defaults.js';
import { tenantSecret } from '../../../../infra/constructs/tenant-secret.js';
import { VerifierFunction } from '../../../../infra/constructs/verifier-function.js';
import { cursorTable } from '../../../../lib/stores/cursor/dynamodb-tables.js';

// Synthesis with bundling is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 180_000;

describe('VerifierFunction', () => {
  let template: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Verifier', { env: { account: '123456789012', region: 'eu-central-1' } });
    const key = new Key(stack, 'Key');
    new VerifierFunction(stack, 'Verifier', {
      tenant: 'acme',
      logRetention: RetentionDays.ONE_MONTH,
      key,
      serviceEnvironment: { TENANT: 'acme', MPAS_REALMS: 'customers' },
      cursorTable: new Table(stack, 'Cursor', tableDefaults(cursorTable, key)),
      archiveBucket: new Bucket(stack, 'Archive', bucketDefaults(key)),
      mpasSecret: tenantSecret(stack, 'MpasSecret', { name: 'mpas-log-sync/acme/mpas', description: 'MPAS credentials', encryptionKey: key }),
    });
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT_MS);

  it('runs functions/verifier.ts with the cursor table, the MPAS secret and the archive bucket under events/', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'mpas-log-sync acme: verifies each day against the event archive',
      Timeout: 900,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          TENANT: 'acme',
          CURSOR_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Cursor') },
          ARCHIVE_BUCKET: { Ref: Match.stringLikeRegexp('^Archive') },
          ARCHIVE_PREFIX: 'events/',
          MPAS_SECRET_ARN: { Ref: Match.stringLikeRegexp('^MpasSecret') },
        }),
      },
    });
  });

  it('is started once a day at 02:00 UTC', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 } }),
    });
  });

  it('may read, never write: GetObject and ListBucket under the archive prefix only, no S3 put or delete, no DynamoDB write', () => {
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy['Properties']['PolicyDocument']['Statement'] as Array<{ Action: string | string[] }>))
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'dynamodb:GetItem', 'secretsmanager:GetSecretValue']));
    expect(actions.filter((action) => action.startsWith('s3:')).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(actions.filter((action) => /^s3:(Put|Delete)|^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))).toEqual([]);
  });
});
