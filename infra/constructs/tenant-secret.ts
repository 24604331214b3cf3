import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** A secret the functions read, and the id they read it by (its ARN, or its name when imported). */
export interface TenantSecretRef {
  readonly secret: ISecret;
  readonly secretId: string;
  /** True when the stack created the secret (with a placeholder the operator replaces). */
  readonly created: boolean;
}

/** Options of {@link tenantSecret}. */
export interface TenantSecretOptions {
  /** The name of a secret the stack creates. */
  readonly name: string;
  /** The name of an existing secret to use instead. @default undefined: the stack creates one */
  readonly existingName?: string | undefined;
  /** What the secret holds, for the operator who fills it in. */
  readonly description: string;
}

/**
 * A credentials secret: the existing one named by the tenant file, or a new one whose value is
 * a generated placeholder (`{"placeholder": <random>}`), so no secret value is ever in the
 * template and the functions report "must be a JSON object with ..." until an operator sets it.
 */
export function tenantSecret(scope: Construct, id: string, options: TenantSecretOptions): TenantSecretRef {
  if (options.existingName !== undefined) {
    // An imported name has no ARN suffix; Secrets Manager finds a secret by its name alone.
    return { secret: Secret.fromSecretNameV2(scope, id, options.existingName), secretId: options.existingName, created: false };
  }
  const secret = new Secret(scope, id, {
    secretName: options.name,
    description: options.description,
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', excludePunctuation: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { secret, secretId: secret.secretArn, created: true };
}
