import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import type { ForwarderDeployment } from '../config/deployment-schema.js';
import type { EventArchive } from './event-archive.js';
import type { LargePayloadBucket } from './large-payload-bucket.js';
import { QUEUE_RETENTION } from './secure-defaults.js';
import { TABLE_ACTIONS, grantSend, grantTable } from './function-grants.js';
import { grantSecretValue } from './tenant-secret.js';
import type { TenantSecretRef } from './tenant-secret.js';
import { TenantFunction } from './tenant-function.js';

/** Props of {@link ForwarderFunction}. */
export interface ForwarderFunctionProps {
  readonly tenant: string;
  /** The forwarder's timeout, memory and event source settings. */
  readonly settings: ForwarderDeployment;
  readonly logRetention: RetentionDays;
  /** The tenant's key, for the log group. */
  readonly key: IKey;
  /** @default false */
  readonly xray?: boolean;
  /** The tenant's service settings as environment variables (lib/config/lambda-config.ts). */
  readonly serviceEnvironment: Record<string, string>;
  /** False disables the event source: messages wait in the queue (4 days at most). @default true */
  readonly enabled?: boolean;
  readonly idempotencyTable: ITable;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /**
   * The SIEM credentials: the only secret the forwarder reads (it never calls MPAS, and
   * functions/forwarder.ts loads its configuration without the MPAS secret).
   * @default undefined: the SIEM takes no authentication
   */
  readonly siemSecret?: TenantSecretRef | undefined;
  /** The SIEM credentials of each route that authenticates, by route name. @default none */
  readonly routeSecrets?: ReadonlyMap<string, TenantSecretRef> | undefined;
  /** The event archive the forwarder writes to. @default undefined: no archive */
  readonly archive?: EventArchive | undefined;
  /** Where the poller stored events too large for a message; the forwarder reads and deletes them. */
  readonly largePayloads: LargePayloadBucket;
  /**
   * The staging prefixes of the Security Lake destinations (`siem` and routes) in the
   * large-payload bucket, where the lake compactor takes their events: the forwarder never
   * writes a lake itself. Their SECURITY_LAKE_STAGING_* settings are in `serviceEnvironment`
   * (security-lake-destinations.ts withStackStaging). @default none
   */
  readonly lakeStagingPrefixes?: readonly string[];
}

/**
 * The forwarder: the queue's consumer, with partial batch responses and bounded concurrency.
 * It may consume and send to the queue (a partly delivered batch is re-enqueued), send to the
 * dead-letter queue, get, put, update and delete idempotency records, read the SIEM and route
 * secrets' values, write archive objects, read, write and delete large payloads, and put staged
 * Security Lake objects in the staging area, nothing else.
 * Consuming (receive, delete, change visibility, queue attributes) is what Lambda's event source
 * mapping needs, granted by SqsEventSource; the code itself changes visibility to back off.
 */
export class ForwarderFunction extends Construct {
  /** The forwarder function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: Role;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** Its SQS event source on the queue. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ForwarderFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const routeSecrets = props.routeSecrets ?? new Map<string, TenantSecretRef>();
    const { function: fn, role, logGroup } = new TenantFunction(this, 'Forwarder', {
      entry: 'functions/forwarder.ts',
      description: `mpas-log-sync ${props.tenant}: forwards queued events to the SIEM`,
      timeoutSeconds: settings.timeoutSeconds,
      memoryMb: settings.memoryMb,
      logRetention: props.logRetention,
      logKey: props.key,
      xray: props.xray ?? false,
      environment: {
        ...props.serviceEnvironment,
        [LAMBDA_ENV_VARS.idempotencyTableName]: props.idempotencyTable.tableName,
        [LAMBDA_ENV_VARS.queueUrl]: props.queue.queueUrl,
        [LAMBDA_ENV_VARS.deadLetterQueueUrl]: props.deadLetterQueue.queueUrl,
        ...(props.siemSecret === undefined ? {} : { [LAMBDA_ENV_VARS.siemSecretArn]: props.siemSecret.secretId }),
        // The backoff the stateful stack derived the queue's maxReceiveCount from (queue-retry.ts).
        [LAMBDA_ENV_VARS.retryBaseSeconds]: String(settings.retryBaseSeconds),
        [LAMBDA_ENV_VARS.retryMaxSeconds]: String(settings.retryMaxSeconds),
        // A delivered batch id is remembered as long as a copy of it can wait in the queue.
        [LAMBDA_ENV_VARS.idempotencyTtlSeconds]: String(QUEUE_RETENTION.toSeconds()),
        ...(props.archive?.environment() ?? {}),
        ...props.largePayloads.environment(),
        ...(routeSecrets.size === 0
          ? {}
          : { [LAMBDA_ENV_VARS.routeSecretArns]: JSON.stringify(Object.fromEntries([...routeSecrets].map(([route, ref]) => [route, ref.secretId]))) }),
      },
    });
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    grantTable(props.idempotencyTable, fn, TABLE_ACTIONS.forwarderIdempotency);
    grantSend(props.queue, fn);
    grantSend(props.deadLetterQueue, fn);
    if (props.siemSecret !== undefined) grantSecretValue(props.siemSecret, fn);
    for (const ref of routeSecrets.values()) grantSecretValue(ref, fn);
    props.archive?.grantWrite(fn);
    props.largePayloads.grantReadWriteDelete(fn);
    const lakeStagingPrefixes = props.lakeStagingPrefixes ?? [];
    if (lakeStagingPrefixes.length > 0) props.largePayloads.grantLakeStaging(fn, lakeStagingPrefixes);

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: settings.batchSize,
      maxBatchingWindow: Duration.seconds(settings.batchingWindowSeconds),
      maxConcurrency: settings.maxConcurrency,
      reportBatchItemFailures: true,
      enabled: props.enabled ?? true,
    });
    fn.addEventSource(this.eventSource);
  }
}
