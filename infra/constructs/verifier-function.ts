import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import { ARCHIVE_PREFIX } from './event-archive.js';
import { TABLE_ACTIONS, grantTable } from './function-grants.js';
import { grantSecretValue } from './tenant-secret.js';
import type { TenantSecretRef } from './tenant-secret.js';
import { TenantFunction } from './tenant-function.js';

/** Props of {@link VerifierFunction}. */
export interface VerifierFunctionProps {
  readonly tenant: string;
  readonly logRetention: RetentionDays;
  /** The tenant's key, for the log group. */
  readonly key: IKey;
  /** The tenant's service settings as environment variables (lib/config/lambda-config.ts). */
  readonly serviceEnvironment: Record<string, string>;
  readonly cursorTable: ITable;
  /** The event archive's bucket (EventArchive.bucket); its key is granted with it. */
  readonly archiveBucket: IBucket;
  readonly mpasSecret: TenantSecretRef;
  /** UTC hour the day before is verified at: late enough for the poller and the archive to have finished it. @default 2 */
  readonly hourUtc?: number;
  /** @default 900 (a day of a busy tenant: every MPAS page and every archive object of the day) */
  readonly timeoutSeconds?: number;
  /** @default 1024 (the day's keys are held in memory) */
  readonly memoryMb?: number;
  /** False disables the schedule (a paused tenant). @default true */
  readonly enabled?: boolean;
}

/**
 * The daily verification (functions/verifier.ts): once a day, the day before is read from MPAS
 * again and compared with the S3 archive; it writes `MissingEvents`, which TenantAlarms alarms
 * on. It may get the cursor item, list and read the archive's objects and read the MPAS secret's
 * value, nothing else.
 */
export class VerifierFunction extends Construct {
  /** The verifier function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: Role;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The daily schedule. */
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler invokes the verifier with. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: VerifierFunctionProps) {
    super(scope, id);
    const hour = props.hourUtc ?? 2;
    if (!(Number.isInteger(hour) && hour >= 0 && hour <= 23)) throw new RangeError(`hourUtc must be an integer from 0 to 23, got ${hour}`);
    const { function: fn, role, logGroup } = new TenantFunction(this, 'Verifier', {
      entry: 'functions/verifier.ts',
      description: `mpas-log-sync ${props.tenant}: verifies each day against the event archive`,
      timeoutSeconds: props.timeoutSeconds ?? 900,
      memoryMb: props.memoryMb ?? 1024,
      logRetention: props.logRetention,
      logKey: props.key,
      // Days are independent, but two runs of one day would only read everything twice.
      reservedConcurrency: 1,
      environment: {
        ...props.serviceEnvironment,
        [LAMBDA_ENV_VARS.cursorTableName]: props.cursorTable.tableName,
        [LAMBDA_ENV_VARS.mpasSecretArn]: props.mpasSecret.secretId,
        [LAMBDA_ENV_VARS.archiveBucket]: props.archiveBucket.bucketName,
        [LAMBDA_ENV_VARS.archivePrefix]: ARCHIVE_PREFIX,
      },
    });
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    grantTable(props.cursorTable, fn, TABLE_ACTIONS.verifierCursor);
    // Read only, under the prefix: the verifier lists and reads the archive's objects, nothing else
    // (grantRead would add GetBucket* and List* on the whole bucket).
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects(`${ARCHIVE_PREFIX}*`)] }));
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.archiveBucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } } }),
    );
    props.archiveBucket.encryptionKey?.grantDecrypt(fn);
    grantSecretValue(props.mpasSecret, fn);

    const account = Stack.of(this).account;
    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: `mpas-log-sync ${props.tenant}: EventBridge Scheduler invokes the verifier`,
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `mpas-log-sync ${props.tenant}: verifies the day before at ${String(hour).padStart(2, '0')}:00 UTC`,
      schedule: ScheduleExpression.cron({ minute: '0', hour: String(hour) }),
      enabled: props.enabled ?? true,
      // A run that did not start is worth another try the same night; after that the day stays unverified (the metric is absent, not 0).
      target: new LambdaInvoke(fn, { role: this.scheduleRole, retryAttempts: 2, maxEventAge: Duration.hours(2) }),
    });
  }
}
