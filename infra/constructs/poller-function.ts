import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import type { PollerDeployment } from '../config/deployment-schema.js';
import type { LargePayloadBucket } from './large-payload-bucket.js';
import { TABLE_ACTIONS, grantSend, grantTable } from './function-grants.js';
import { grantSecretValue } from './tenant-secret.js';
import type { TenantSecretRef } from './tenant-secret.js';
import { TenantFunction } from './tenant-function.js';

/** Props of {@link PollerFunction}. */
export interface PollerFunctionProps {
  readonly tenant: string;
  /** The poller's timeout, memory and read budget. */
  readonly settings: PollerDeployment;
  /** Minutes between two polls. @default 1 */
  readonly scheduleMinutes?: number;
  readonly logRetention: RetentionDays;
  /** The tenant's key, for the log group. */
  readonly key: IKey;
  /** @default false */
  readonly xray?: boolean;
  /** The tenant's service settings as environment variables (lib/config/lambda-config.ts). */
  readonly serviceEnvironment: Record<string, string>;
  /** False disables the schedule: no poll starts, the cursor waits. @default true */
  readonly enabled?: boolean;
  readonly cursorTable: ITable;
  readonly queue: IQueue;
  readonly mpasSecret: TenantSecretRef;
  /** Where it stores an event too large for a message. */
  readonly largePayloads: LargePayloadBucket;
}

/**
 * The poller: one at a time (reserved concurrency 1, the lease makes it safe anyway), started
 * by EventBridge Scheduler with the time it was scheduled for and the rate, so it re-reads MPAS
 * every POLL_INTERVAL_MS while events flow and stops before the next one starts
 * (lib/aws/poller-invocation.ts): its reads reach that start when `timeoutSeconds x budgetShare`
 * is at least the rate (75 s x 0.8 for the default minute). It may get, put and update items of the cursor table (and batch-get
 * delivery records), send to the queue, store large payloads and read the MPAS secret's value,
 * nothing else.
 */
export class PollerFunction extends Construct {
  /** The poller function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: Role;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The EventBridge Scheduler schedule that starts it. */
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler invokes the poller with. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: PollerFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const { function: fn, role, logGroup } = new TenantFunction(this, 'Poller', {
      entry: 'functions/poller.ts',
      description: `mpas-log-sync ${props.tenant}: polls MPAS events into the queue`,
      timeoutSeconds: settings.timeoutSeconds,
      memoryMb: settings.memoryMb,
      logRetention: props.logRetention,
      logKey: props.key,
      xray: props.xray ?? false,
      reservedConcurrency: 1,
      environment: {
        ...props.serviceEnvironment,
        [LAMBDA_ENV_VARS.cursorTableName]: props.cursorTable.tableName,
        [LAMBDA_ENV_VARS.queueUrl]: props.queue.queueUrl,
        [LAMBDA_ENV_VARS.mpasSecretArn]: props.mpasSecret.secretId,
        [LAMBDA_ENV_VARS.pollBudgetShare]: String(settings.budgetShare),
        ...props.largePayloads.environment(),
      },
    });
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    grantTable(props.cursorTable, fn, TABLE_ACTIONS.pollerCursor);
    grantSend(props.queue, fn);
    grantSecretValue(props.mpasSecret, fn);
    props.largePayloads.grantWrite(fn);

    const account = Stack.of(this).account;
    // Only this account's schedules may use the role (the confused-deputy guard).
    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: `mpas-log-sync ${props.tenant}: EventBridge Scheduler invokes the poller`,
    });
    const every = Duration.minutes(props.scheduleMinutes ?? 1);
    this.schedule = new Schedule(this, 'Schedule', {
      description: `mpas-log-sync ${props.tenant}: a poll every ${props.scheduleMinutes ?? 1} minute(s), re-reading while events flow`,
      schedule: ScheduleExpression.rate(every),
      enabled: props.enabled ?? true,
      // No retry: a poll that did not start is made up by the next one, which reads from the cursor.
      // What lib/aws/poller-schedule.ts reads: when this run was due, and when the next one is.
      target: new LambdaInvoke(fn, {
        role: this.scheduleRole,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime, scheduleSeconds: every.toSeconds() }),
      }),
    });
  }
}
