import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagSuppressions } from 'cdk-nag';
import { InfraError } from '../config/infra-errors.js';
import { LARGE_PAYLOAD_PREFIX } from '../../lib/aws/s3-payload-store.js';
import { ARCHIVE_PREFIX } from '../constructs/event-archive.js';
import { LAKE_STAGING_PREFIX } from '../constructs/large-payload-bucket.js';
import type { TenantStacks } from '../tenant-app.js';

/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each on the one resource it is
 * about and, for IAM wildcards, the one wildcard (`appliesTo`), with the reason. Anything
 * else cdk-nag finds fails the tests.
 */
export function addNagSuppressions({ stateful, stateless }: TenantStacks): void {
  for (const ref of [stateful.mpasSecret, stateful.siemSecret, ...stateful.routeSecrets.values()]) {
    if (ref === undefined || !ref.created) continue;
    NagSuppressions.addResourceSuppressions(ref.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The MPAS and SIEM credentials are issued by those systems\' administrators, outside AWS: there is no rotation ' +
          'function that could change them. They are rotated by putting the new value into the secret.',
      },
    ]);
  }

  // CDK's grants on a customer-managed key (tables, queues) add these two wildcard actions.
  const kmsWildcards = {
    id: 'AwsSolutions-IAM5',
    reason:
      'kms:GenerateDataKey* and kms:ReEncrypt* are what DynamoDB and SQS need to use the tenant\'s customer-managed key; ' +
      'the statement\'s resource is that one key, not every key.',
    appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
  };
  const xrayWildcard = {
    id: 'AwsSolutions-IAM5',
    reason: 'X-Ray\'s PutTraceSegments and PutTelemetryRecords have no resource type: they can only be granted on "*".',
    appliesTo: ['Resource::*'],
  };
  for (const role of [stateless.poller.role, stateless.forwarder.role]) {
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(role), stateless.tracing ? [kmsWildcards, xrayWildcard] : [kmsWildcards]);
  }

  const payloadBucket = stateful.largePayloads.bucket;
  NagSuppressions.addResourceSuppressions(payloadBucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        `Only the poller (PutObject) and the forwarder (GetObject, PutObject, DeleteObject) use the large-payload bucket, under ${LARGE_PAYLOAD_PREFIX}, ` +
        'and each object lives no longer than its queue message: server access logs would be a second bucket of logs about that. ' +
        'Enable CloudTrail S3 data events for an audit of reads.',
    },
  ]);
  const payloadBucketId = stateful.getLogicalId(payloadBucket.node.defaultChild as CfnElement);
  const payloadObjects = `Resource::<${payloadBucketId}.Arn>/${LARGE_PAYLOAD_PREFIX}*`;
  NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.poller.role), [
    {
      id: 'AwsSolutions-IAM5',
      reason: `The poller stores each event too large for a queue message as its own object under ${LARGE_PAYLOAD_PREFIX}: PutObject on that prefix only.`,
      appliesTo: [payloadObjects],
    },
  ]);
  NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.forwarder.role), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        `The forwarder reads each large payload its message points to under ${LARGE_PAYLOAD_PREFIX}, deletes it once the message is done, ` +
        'and stores those of large messages it requeues or dead-letters: Get/Put/DeleteObject on that prefix only.',
      appliesTo: [payloadObjects],
    },
  ]);

  const { lakeCompactor } = stateless;
  if (lakeCompactor !== undefined) {
    const stagedFolders = lakeCompactor.lakes.destinations.map(({ stagingPrefix }) => `${stagingPrefix}staged/`);
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.forwarder.role), [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          `The forwarder stages each Security Lake delivery as objects under its destination's ${stagedFolders.join(', ')}, named by their events: ` +
          'PutObject on those prefixes only.',
        appliesTo: stagedFolders.map((folder) => `Resource::<${payloadBucketId}.Arn>/${folder}*`),
      },
    ]);
    const lakeObjects = lakeCompactor.lakes.lakes.flatMap((lake) => lake.sources.map((source) => `Resource::arn:<AWS::Partition>:s3:::${lake.bucket}/ext/${source}/*`));
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(lakeCompactor.role), [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          `The lake compactor lists, reads and deletes the staged objects, manifests and tombstones under ${LAKE_STAGING_PREFIX} (the listing held to it by s3:prefix), ` +
          'and puts one Parquet file per source, day and size limit under each custom source\'s ext/<source>/ prefix of the lake: those prefixes only.',
        appliesTo: [`Resource::<${payloadBucketId}.Arn>/${LAKE_STAGING_PREFIX}*`, ...lakeObjects],
      },
      ...(stateless.tracing ? [xrayWildcard] : []),
    ]);
    const compactorId = stateless.getLogicalId(lakeCompactor.function.node.defaultChild as CfnElement);
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(lakeCompactor.scheduleRole), [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'EventBridge Scheduler\'s Lambda target grants the function\'s versions (<arn>:*) too; it invokes only the lake compactor.',
        appliesTo: [`Resource::<${compactorId}.Arn>:*`],
      },
    ]);
  }

  if (stateful.archive !== undefined) {
    const { bucket } = stateful.archive;
    NagSuppressions.addResourceSuppressions(bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          `Only the forwarder writes to the archive bucket (PutObject under ${ARCHIVE_PREFIX}), and readers come through Athena: ` +
          'server access logs would be a second bucket of logs about logs. Enable CloudTrail S3 data events for an audit of reads.',
      },
    ]);
    const bucketId = stateful.getLogicalId(bucket.node.defaultChild as CfnElement);
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.forwarder.role), [
      {
        id: 'AwsSolutions-IAM5',
        reason: `The forwarder writes one object per batch and day under the archive's ${ARCHIVE_PREFIX} prefix: PutObject on that prefix only.`,
        appliesTo: [`Resource::<${bucketId}.Arn>/${ARCHIVE_PREFIX}*`],
      },
    ]);
  }

  if (stateless.verifier !== undefined && stateful.archive !== undefined) {
    const bucketId = stateful.getLogicalId(stateful.archive.bucket.node.defaultChild as CfnElement);
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.verifier.role), [
      {
        id: 'AwsSolutions-IAM5',
        reason: `The daily verification reads the archive's objects, one per batch and day under ${ARCHIVE_PREFIX}: GetObject on that prefix only.`,
        appliesTo: [`Resource::<${bucketId}.Arn>/${ARCHIVE_PREFIX}*`],
      },
    ]);
    const verifierId = stateless.getLogicalId(stateless.verifier.function.node.defaultChild as CfnElement);
    NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.verifier.scheduleRole), [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'EventBridge Scheduler\'s Lambda target grants the function\'s versions (<arn>:*) too; it invokes only the verifier.',
        appliesTo: [`Resource::<${verifierId}.Arn>:*`],
      },
    ]);
  }

  const pollerId = stateless.getLogicalId(stateless.poller.function.node.defaultChild as CfnElement);
  NagSuppressions.addResourceSuppressions(defaultPolicyOf(stateless.poller.scheduleRole), [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'EventBridge Scheduler\'s Lambda target grants the function\'s versions (<arn>:*) too; it invokes only the poller.',
      appliesTo: [`Resource::<${pollerId}.Arn>:*`],
    },
  ]);
}

function defaultPolicyOf(role: IConstruct): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  // A role without grants has no policy: a suppression for it would be one for nothing.
  if (policy === undefined) throw new InfraError(`${role.node.path} has no default policy to suppress a cdk-nag finding on`);
  return policy;
}
