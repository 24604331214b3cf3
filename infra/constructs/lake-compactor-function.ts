import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { grantSecurityLakeWrite } from './function-grants.js';
import type { LargePayloadBucket } from './large-payload-bucket.js';
import type { CompactedSecurityLakes } from './security-lake-destinations.js';
import { TenantFunction } from './tenant-function.js';

/**
 * Lambda's longest: a run that finds a large backlog (after a stop, or at a 1-day interval) has
 * time for it, and never overlaps the next one (reserved concurrency 1 holds that).
 */
export const LAKE_COMPACTOR_TIMEOUT_SECONDS = 900;
/** A run holds one output's staged events (DEFAULT_MAX_FILE_BYTES compressed) and its Parquet file in memory. */
export const LAKE_COMPACTOR_MEMORY_MB = 1024;

/** Props of {@link LakeCompactorFunction}. */
export interface LakeCompactorFunctionProps {
  readonly tenant: string;
  readonly logRetention: RetentionDays;
  /** The tenant's key, for the log group. */
  readonly key: IKey;
  /** @default false */
  readonly xray?: boolean;
  /**
   * Its security-lake destinations' settings as environment variables, with the stack's staging
   * area (security-lake-destinations.ts lakeCompactorConfig, lib/config/lambda-config.ts
   * forwarderEnvironment: the routes in ROUTES).
   */
  readonly serviceEnvironment: Record<string, string>;
  /** False disables the schedule: staged events wait. @default true */
  readonly enabled?: boolean;
  /** Where the forwarder stages the events (under LAKE_STAGING_PREFIX). */
  readonly largePayloads: LargePayloadBucket;
  /** The destinations it compacts, the lakes it writes and its interval. */
  readonly lakes: CompactedSecurityLakes;
}

/**
 * The Security Lake compactor (functions/lake-compactor.ts): started by EventBridge Scheduler
 * every SECURITY_LAKE_FILE_INTERVAL_MINUTES, one at a time (reserved concurrency 1: two runs at
 * once could put one staged object in two files), it turns the staged events into the lake's
 * Parquet files, for every security-lake destination (`siem` and routes) in one run. It may read,
 * write, list and delete in the staging area of the large-payload bucket and put objects under
 * each lake's `ext/<source>/` prefixes, nothing else.
 */
export class LakeCompactorFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: Role;
  /** The destinations it compacts, the lakes it writes and its interval. */
  public readonly lakes: CompactedSecurityLakes;
  public readonly logGroup: LogGroup;
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler invokes the compactor with. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: LakeCompactorFunctionProps) {
    super(scope, id);
    const { function: fn, role, logGroup } = new TenantFunction(this, 'LakeCompactor', {
      entry: 'functions/lake-compactor.ts',
      description: `mpas-log-sync ${props.tenant}: compacts staged events into Security Lake files`,
      timeoutSeconds: LAKE_COMPACTOR_TIMEOUT_SECONDS,
      memoryMb: LAKE_COMPACTOR_MEMORY_MB,
      logRetention: props.logRetention,
      logKey: props.key,
      xray: props.xray ?? false,
      reservedConcurrency: 1,
      environment: props.serviceEnvironment,
    });
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.lakes = props.lakes;
    props.largePayloads.grantLakeCompaction(fn);
    for (const lake of props.lakes.lakes) grantSecurityLakeWrite(fn, lake);

    // Only this account's schedules may use the role (the confused-deputy guard), as the poller's.
    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `mpas-log-sync ${props.tenant}: EventBridge Scheduler invokes the lake compactor`,
    });
    const minutes = props.lakes.fileIntervalMinutes;
    this.schedule = new Schedule(this, 'Schedule', {
      description: `mpas-log-sync ${props.tenant}: Security Lake files every ${minutes} minute(s)`,
      schedule: ScheduleExpression.rate(Duration.minutes(minutes)),
      enabled: props.enabled ?? true,
      // No retry: a run that did not start is made up by the next one, which takes everything staged.
      target: new LambdaInvoke(fn, { role: this.scheduleRole, retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
  }
}
