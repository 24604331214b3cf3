import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { cursorTable, idempotencyTable } from '../../lib/stores/cursor/dynamodb-tables.js';
import { InfraError } from '../config/infra-errors.js';
import type { TenantDeployment } from '../config/load-tenants.js';
import { EventArchive } from '../constructs/event-archive.js';
import { LargePayloadBucket } from '../constructs/large-payload-bucket.js';
import { compactedSecurityLakes } from '../constructs/security-lake-destinations.js';
import { queueRetrySettings } from '../config/queue-retry.js';
import type { QueueRetrySettings } from '../config/queue-retry.js';
import {
  DEAD_LETTER_RETENTION,
  QUEUE_RETENTION,
  allowTenantServicesToUseKey,
  keyDefaults,
  queueDefaults,
  tableDefaults,
} from '../constructs/secure-defaults.js';
import { tenantSecret } from '../constructs/tenant-secret.js';
import type { TenantSecretRef } from '../constructs/tenant-secret.js';

/** What each kind of SIEM authentication keeps in the SIEM secret (lib/config/lambda-config.ts). */
const SIEM_SECRET_SHAPES: Readonly<Record<string, string>> = {
  bearer: '{"token"}',
  header: '{"authHeader": "Name: value"}',
  basic: '{"username", "password"}',
  apiKey: '{"apiKey"}',
  clientSecret: '{"clientSecret"}',
};

/** Props of {@link StatefulStack}. */
export interface StatefulStackProps extends StackProps {
  /** The tenant, as its file gave it. */
  readonly tenant: TenantDeployment;
  /** The operator stack's key of the account and region, used when the tenant file says `encryptionKey: "shared"`. */
  readonly sharedKey?: IKey | undefined;
}

/**
 * The tenant's data, apart from the code so a deploy of code can never replace it: the cursor
 * and idempotency tables, the queue and its dead-letter queue, the bucket of payloads too large
 * for a message, the secrets and,
 * when the tenant file asks for it, the event archive; and the KMS key of all of them when the
 * tenant has a key of its own (`deployment.encryptionKey: "tenant"`; else the operator stack's). Termination protection is on and every resource is retained when the stack is deleted.
 */
export class StatefulStack extends Stack {
  /** The cursor and lease of the tenant (lib/stores/cursor/dynamodb-tables.ts' `cursorTable`). */
  public readonly cursorTable: Table;
  /** The forwarder's record of delivered batch ids, expiring by TTL. */
  public readonly idempotencyTable: Table;
  /**
   * The customer-managed key of both queues, both tables, both buckets, the secrets it creates and the functions' log groups:
   * the operator stack's shared key, or the tenant's own (`deployment.encryptionKey`).
   */
  public readonly key: IKey;
  /** The poller's batches, waiting for the forwarder. */
  public readonly queue: Queue;
  /** Messages received `retry.maxReceiveCount` times without success, or that the forwarder rejected. */
  public readonly deadLetterQueue: Queue;
  /** The queue's visibility timeout and `maxReceiveCount`, derived from the forwarder's backoff (queue-retry.ts). */
  public readonly retry: QueueRetrySettings;
  /** Where an event too large for a queue message rests between poller and forwarder (the claim check). */
  public readonly largePayloads: LargePayloadBucket;
  /** The MPAS credentials (`{ username, password }` or `{ clientSecret }`). */
  public readonly mpasSecret: TenantSecretRef;
  /** The SIEM credentials; undefined when the SIEM takes no authentication. */
  public readonly siemSecret: TenantSecretRef | undefined;
  /** The SIEM credentials of each route that authenticates, by route name. */
  public readonly routeSecrets: ReadonlyMap<string, TenantSecretRef>;
  /** The event archive bucket and its Glue table; undefined unless `deployment.archive.enabled`. */
  public readonly archive: EventArchive | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { name, deployment, service } = props.tenant;

    if (deployment.encryptionKey === 'tenant') {
      const ownKey = new Key(this, 'Key', keyDefaults(name));
      allowTenantServicesToUseKey(ownKey);
      this.key = ownKey;
    } else {
      if (props.sharedKey === undefined) {
        throw new InfraError(`tenant ${name}: deployment.encryptionKey is "shared" but no operator stack key was given to its data stack`);
      }
      this.key = props.sharedKey;
      // The key's stack creates it: said here, not left to the reference, so the order holds whatever refers to what.
      this.addStackDependency(Stack.of(props.sharedKey));
    }

    this.cursorTable = new Table(this, 'CursorTable', tableDefaults(cursorTable, this.key));
    this.idempotencyTable = new Table(this, 'IdempotencyTable', tableDefaults(idempotencyTable, this.key));

    this.retry = queueRetrySettings(deployment);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', { ...queueDefaults(this.key), retentionPeriod: DEAD_LETTER_RETENTION });
    this.queue = new Queue(this, 'Queue', {
      ...queueDefaults(this.key),
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(this.retry.visibilityTimeoutSeconds),
      // A SIEM outage up to deployment.forwarder.retryMaxSeconds dead-letters nothing.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.retry.maxReceiveCount },
    });

    // A Security Lake tenant stages its events there too, each destination under its own prefix (the stateless stack's lake compactor).
    const lakeStagingPrefixes = compactedSecurityLakes(service.config)?.destinations.map(({ stagingPrefix }) => stagingPrefix) ?? [];
    this.largePayloads = new LargePayloadBucket(this, 'LargePayloads', { key: this.key, lakeStagingPrefixes });

    this.mpasSecret = tenantSecret(this, 'MpasSecret', {
      name: `mpas-log-sync/${name}/mpas`,
      existingName: deployment.secretNames.mpas,
      encryptionKey: this.key,
      description: `MPAS credentials of mpas-log-sync ${name}: JSON ${service.mpasGrant === 'password' ? '{"username", "password"}' : '{"clientSecret"}'}`,
    });
    this.siemSecret =
      service.siemAuthKind === 'none'
        ? undefined
        : tenantSecret(this, 'SiemSecret', {
            name: `mpas-log-sync/${name}/siem`,
            existingName: deployment.secretNames.siem,
            encryptionKey: this.key,
            description: `SIEM credentials of mpas-log-sync ${name}: JSON ${SIEM_SECRET_SHAPES[service.siemAuthKind] ?? '{"token"}'}`,
          });
    this.routeSecrets = new Map(
      [...service.routeAuthKinds].map(([route, kind]) => [
        route,
        tenantSecret(this, `RouteSecret-${route}`, {
          name: `mpas-log-sync/${name}/route-${route}`,
          existingName: deployment.secretNames.routes?.[route],
          encryptionKey: this.key,
          description: `SIEM credentials of mpas-log-sync ${name}, route ${route}: JSON ${SIEM_SECRET_SHAPES[kind] ?? '{"token"}'}`,
        }),
      ]),
    );
    this.archive = deployment.archive.enabled
      ? new EventArchive(this, 'Archive', { tenant: name, key: this.key, retentionDays: deployment.archive.retentionDays })
      : undefined;

    // What the runbook (docs/runbook.md) asks for by name: `aws cloudformation describe-stacks`.
    const outputs: Record<string, string> = {
      CursorTableName: this.cursorTable.tableName,
      QueueUrl: this.queue.queueUrl,
      QueueArn: this.queue.queueArn,
      DeadLetterQueueUrl: this.deadLetterQueue.queueUrl,
      DeadLetterQueueArn: this.deadLetterQueue.queueArn,
      KeyArn: this.key.keyArn,
      LargePayloadBucketName: this.largePayloads.bucket.bucketName,
      ...(this.archive === undefined ? {} : { ArchiveBucketName: this.archive.bucket.bucketName, ArchiveDatabaseName: this.archive.databaseName }),
    };
    for (const [outputId, value] of Object.entries(outputs)) new CfnOutput(this, outputId, { value });
  }
}
