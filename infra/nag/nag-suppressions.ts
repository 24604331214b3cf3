import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagSuppressions } from 'cdk-nag';
import { InfraError } from '../config/infra-errors.js';
import { ARCHIVE_PREFIX } from '../constructs/event-archive.js';
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
