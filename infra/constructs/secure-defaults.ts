import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { TableProps } from 'aws-cdk-lib/aws-dynamodb';
import { AttributeType, BillingMode, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey, Key, KeyProps } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BucketProps } from 'aws-cdk-lib/aws-s3';
import { BlockPublicAccess, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { QueueProps } from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { BuildOptions } from 'esbuild';
import type { TableKeySchema } from '../../lib/stores/cursor/dynamodb-tables.js';

/**
 * The secure defaults of every resource, in one place: customer-managed KMS with rotation,
 * TLS only, point-in-time recovery, data retained when a stack goes, a dead-letter queue
 * behind the queue. The stacks build on these and never weaken them.
 */

/** SQS's largest message, what the poller sends (polling.queueMaxMessageBytes' ceiling). */
export const QUEUE_MAX_MESSAGE_BYTES = 1_048_576;
/**
 * How long the queue keeps a message: SQS's default, and the forwarder's idempotency TTL
 * (IDEMPOTENCY_TTL_SECONDS), so a copy of a batch never outlives the record that drops it.
 */
export const QUEUE_RETENTION = Duration.days(4);
/** The dead-letter queue keeps messages as long as SQS allows, for an operator to redrive. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** The newest Node.js runtime aws-cdk-lib offers, fixed (not NODEJS_LATEST) so a CDK upgrade cannot change it unseen. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/**
 * A customer-managed key of tenant data, `owner` a tenant's name or the account's tenants: rotated
 * yearly, kept when the stack is deleted or the key leaves the template (what it encrypted, point-in-time
 * backups included, stays readable).
 */
export function keyDefaults(owner: string): KeyProps {
  return {
    description: `mpas-log-sync ${owner}: queues, tables, buckets, secrets and log groups`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * What the key policy of a key of tenant data adds to the account's own statement: the services
 * that use the key for the tenant's resources as themselves, not for a role of the account.
 */
export function allowTenantServicesToUseKey(key: Key): void {
  const stack = Stack.of(key);
  // The alarm topics are encrypted with this key: CloudWatch must be able to publish to them.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedAlarmTopic',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  // The functions' log groups are encrypted with this key. CloudWatch Logs uses it in the
  // name of a log group of this account and region only: the encryption context names it.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchLogsToEncryptTheTenantsLogGroups',
      principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }),
  );
}

/** A table with `schema`'s key (lib/stores/cursor/dynamodb-tables.ts), on demand, encrypted with `key`, recoverable. */
export function tableDefaults(schema: TableKeySchema, key: IKey): TableProps {
  return {
    partitionKey: { name: schema.partitionKey.name, type: AttributeType.STRING },
    ...(schema.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: schema.timeToLiveAttribute }),
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/** A queue encrypted with `key`, TLS only, sized for the poller's largest message. */
export function queueDefaults(key: IKey): QueueProps {
  return {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    // A data key is reused for 5 minutes: fewer KMS calls at one message a second and more.
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
    maxMessageSizeBytes: QUEUE_MAX_MESSAGE_BYTES,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * A private bucket encrypted with `key` (an S3 Bucket Key, so not every object costs a KMS
 * call), TLS only, no ACLs, kept when the stack goes. Unversioned: its objects are written
 * once under their batch's name, and a version history would only outlive the retention.
 */
export function bucketDefaults(key: IKey): BucketProps {
  return {
    encryption: BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: false,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/**
 * esbuild's options for a function (infra/constructs/function-bundle.ts adds the entry and the
 * code splitting): on this machine (never Docker), minified, with source maps, as an ES module
 * (the project's format) that can still load the CommonJS dependencies.
 */
export const BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  minify: true,
  sourcemap: true,
  // Stack traces map to the sources without shipping them.
  sourcesContent: false,
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  // Every chunk gets it: each is a module of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // The AWS SDK v3 is bundled too, not taken from the runtime (CDK's default for Node 18 and
  // later leaves @aws-sdk/* out): a function starts faster with the parts it uses, tree shaken and
  // minified, than with the runtime's copies loaded file by file, and a client that only one SIEM
  // type's sink needs (EventBridge, Firehose, S3 for Security Lake) is evaluated only when that
  // type is configured (esbuild keeps a dynamic import lazy inside a bundle, but imports an
  // external package at its top). bench/cold-start.bench.ts measures it (docs/performance.md).
  external: [],
  logLevel: 'warning',
};

/** Settings every function shares. */
export const FUNCTION_DEFAULTS = {
  runtime: FUNCTION_RUNTIME,
  architecture: Architecture.ARM_64,
  loggingFormat: LoggingFormat.JSON,
} as const;
