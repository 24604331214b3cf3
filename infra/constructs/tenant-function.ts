import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionCode } from './function-bundle.js';
import { FUNCTION_DEFAULTS } from './secure-defaults.js';

/** The repository's root, where functions/ is. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Props of {@link TenantFunction}. */
export interface TenantFunctionProps {
  /** The entry point, relative to the repository root, such as `functions/poller.ts`. */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Days its log group keeps logs. */
  readonly logRetention: RetentionDays;
  /** The tenant's key, which its log group is encrypted with (the key policy lets CloudWatch Logs use it). */
  readonly logKey: IKey;
  /** Active X-Ray tracing. @default false */
  readonly xray?: boolean;
  /** Functions that never run twice at once set 1. @default undefined: unreserved */
  readonly reservedConcurrency?: number;
  readonly environment: Record<string, string>;
}

/**
 * A Node.js function of this project with its own role and log group: bundled locally by
 * esbuild into an entry file and the chunks it loads on demand (infra/constructs/function-bundle.ts),
 * arm64, the newest runtime, JSON logs. The role may only write to that log group; everything
 * else it may do is granted by the caller, resource by resource.
 */
export class TenantFunction extends Construct {
  /** The bundled function. */
  public readonly function: LambdaFunction;
  /** Its role: its log group only, until the caller grants more. */
  public readonly role: Role;
  /** Its log group, with the tenant's retention, encrypted with the tenant's key. */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TenantFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logKey });
    // Not AWSLambdaBasicExecutionRole: that policy may write to every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: its own log group, tables, queues and secrets only`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new LambdaFunction(this, 'Function', {
      ...FUNCTION_DEFAULTS,
      code: functionCode(PROJECT_ROOT, props.entry),
      handler: 'index.handler',
      description: props.description,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.xray === true ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      // Stack traces through the source maps the bundle ships.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    });
  }
}
