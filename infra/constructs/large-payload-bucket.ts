import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LARGE_PAYLOAD_PREFIX } from '../../lib/aws/s3-payload-store.js';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import { DEAD_LETTER_RETENTION, QUEUE_RETENTION, bucketDefaults } from './secure-defaults.js';

/**
 * Days a large payload is kept at most. The forwarder deletes each object once its message is
 * done; this rule removes what is left: objects of messages dead-lettered (kept for the DLQ's
 * 14 days, so `dlq redrive` still delivers them), of messages that expired, and of a crash
 * between done and delete. 14 + 4 + 1: a pointer dead-lettered on its first day, redriven on the
 * DLQ's last and kept the queue's whole retention still finds its object, with a day to spare.
 */
export const LARGE_PAYLOAD_EXPIRATION_DAYS = DEAD_LETTER_RETENTION.toDays() + QUEUE_RETENTION.toDays() + 1;

/**
 * Where a Security Lake destination stages its events in this bucket (SECURITY_LAKE_STAGING_PREFIX
 * on AWS): the forwarder PUTs under `staged/`, the compactor reads, lists and deletes there and
 * keeps its `manifests/` and `compacted/` tombstones (lib/sinks/security-lake/lake-staging.ts).
 */
export const LAKE_STAGING_PREFIX = 'security-lake-staging/';
/** What the forwarder writes: staged objects only. */
export const LAKE_STAGED_PREFIX = `${LAKE_STAGING_PREFIX}staged/`;
/** The compactor's tombstones, one per staged object it took. */
export const LAKE_TOMBSTONE_PREFIX = `${LAKE_STAGING_PREFIX}compacted/`;
/**
 * Days a tombstone is kept: as long as a copy of a staged message can still come back (the
 * queue's retention after a redrive from the DLQ), the same reckoning as a large payload's. The
 * compactor deletes older ones itself (tombstoneRetentionMs of lake-compactor.ts, the same 19 days); this rule is the backstop.
 */
export const LAKE_TOMBSTONE_EXPIRATION_DAYS = LARGE_PAYLOAD_EXPIRATION_DAYS;

/** Props of {@link LargePayloadBucket}. */
export interface LargePayloadBucketProps {
  /** The tenant's key: the payloads are the queue's messages, encrypted like them. */
  readonly key: IKey;
  /**
   * The staging prefixes of the tenant's Security Lake destinations (security-lake-destinations.ts),
   * each under {@link LAKE_STAGING_PREFIX}: their tombstones expire. @default none
   */
  readonly lakeStagingPrefixes?: readonly string[];
}

/**
 * The claim check's bucket (lib/core/queue/claim-check.ts): an event too large for an SQS message
 * rests here between the poller and the forwarder. Private, TLS only, SSE-KMS with the tenant's
 * key, retained with the stack; its objects expire after {@link LARGE_PAYLOAD_EXPIRATION_DAYS}.
 */
export class LargePayloadBucket extends Construct {
  /** The bucket, retained when the stack goes. */
  public readonly bucket: Bucket;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: LargePayloadBucketProps) {
    super(scope, id);
    this.key = props.key;
    this.bucket = new Bucket(this, 'Bucket', {
      ...bucketDefaults(props.key),
      lifecycleRules: [
        {
          id: 'expire-large-payloads',
          prefix: LARGE_PAYLOAD_PREFIX,
          expiration: Duration.days(LARGE_PAYLOAD_EXPIRATION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Staged objects and manifests never expire: each is events not yet in the lake.
        ...(props.lakeStagingPrefixes ?? []).map((prefix) => ({
          id: tombstoneRuleId(prefix),
          prefix: `${prefix}compacted/`,
          expiration: Duration.days(LAKE_TOMBSTONE_EXPIRATION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        })),
      ],
    });
  }

  /** The poller: stores payloads (PutObject under the prefix, a data key from the tenant's key). */
  grantWrite(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.objects()] }));
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }));
  }

  /**
   * The forwarder: reads payloads and deletes them once their message is done, and stores the
   * payloads of large messages it requeues or dead-letters.
   */
  grantReadWriteDelete(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [this.objects()] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }));
  }

  /** The forwarder's Security Lake sinks: PutObject of staged objects (`<prefix>staged/`) only, a data key from the tenant's key. */
  grantLakeStaging(grantee: IGrantable, prefixes: readonly string[]): void {
    const resources = prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}staged/*`));
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources }));
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }));
  }

  /**
   * The lake compactor: lists the staging area, reads and deletes staged objects, writes and
   * deletes manifests and tombstones, all under {@link LAKE_STAGING_PREFIX} and nowhere else in
   * the bucket (the listing is held to the prefix by its condition).
   */
  grantLakeCompaction(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects(`${LAKE_STAGING_PREFIX}*`)] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${LAKE_STAGING_PREFIX}*`] } } }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }));
  }

  /** Where the Security Lake destinations stage (SECURITY_LAKE_STAGING_BUCKET and _REGION): this bucket, the stack's region. */
  lakeStagingArea(): { bucket: string; region: string } {
    return { bucket: this.bucket.bucketName, region: Stack.of(this.bucket).region };
  }

  /** Both functions' variables (lib/config/lambda-settings.ts): the bucket and the key every payload is written with. */
  environment(): Record<string, string> {
    return { [LAMBDA_ENV_VARS.largePayloadBucket]: this.bucket.bucketName, [LAMBDA_ENV_VARS.largePayloadKmsKey]: this.key.keyArn };
  }

  private objects(): string {
    return this.bucket.arnForObjects(`${LARGE_PAYLOAD_PREFIX}*`);
  }
}

/** `expire-lake-tombstones` for the `siem` destination's prefix, `expire-lake-tombstones-routes-<route>` for a route's. */
function tombstoneRuleId(prefix: string): string {
  const below = prefix.slice(LAKE_STAGING_PREFIX.length).replace(/\/$/, '').replaceAll('/', '-');
  return below === '' ? 'expire-lake-tombstones' : `expire-lake-tombstones-${below}`;
}
