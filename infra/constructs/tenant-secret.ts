import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** A secret the functions read, and the id they read it by (its ARN, or its name when imported). */
export interface TenantSecretRef {
  readonly secret: ISecret;
  readonly secretId: string;
  /** True when the stack created the secret (with a placeholder the operator replaces). */
  readonly created: boolean;
  /** What a policy names: the ARN, or for an imported name the ARN with the suffix Secrets Manager adds (`-??????`). */
  readonly policyArn: string;
  /** The tenant's key, when the stack created the secret with it; an imported secret keeps the key it has. */
  readonly encryptionKey: IKey | undefined;
}

/** Options of {@link tenantSecret}. */
export interface TenantSecretOptions {
  /** The name of a secret the stack creates. */
  readonly name: string;
  /** The name of an existing secret to use instead. @default undefined: the stack creates one */
  readonly existingName?: string | undefined;
  /** What the secret holds, for the operator who fills it in. */
  readonly description: string;
  /** The tenant's customer-managed key, which a created secret is encrypted with. */
  readonly encryptionKey: IKey;
}

/**
 * A credentials secret: the existing one named by the tenant file, or a new one encrypted with
 * the tenant's key whose value is a generated placeholder (`{"placeholder": <random>}`), so no
 * secret value is ever in the template and the functions report "must be a JSON object with
 * ..." until an operator sets it.
 */
export function tenantSecret(scope: Construct, id: string, options: TenantSecretOptions): TenantSecretRef {
  if (options.existingName !== undefined) {
    // An imported name has no ARN suffix; Secrets Manager finds a secret by its name alone.
    const policyArn = Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${options.existingName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    return { secret: Secret.fromSecretNameV2(scope, id, options.existingName), secretId: options.existingName, created: false, policyArn, encryptionKey: undefined };
  }
  const secret = new Secret(scope, id, {
    secretName: options.name,
    description: options.description,
    encryptionKey: options.encryptionKey,
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', excludePunctuation: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { secret, secretId: secret.secretArn, created: true, policyArn: secret.secretArn, encryptionKey: options.encryptionKey };
}

/**
 * Lets `grantee` read the secret's value and nothing else (Powertools' getSecret calls only
 * GetSecretValue; CDK's grantRead adds DescribeSecret), and decrypt with the tenant's key only
 * through Secrets Manager.
 */
export function grantSecretValue(ref: TenantSecretRef, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [ref.policyArn] }));
  if (ref.encryptionKey === undefined) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [ref.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(ref.secret).region}.amazonaws.com` } },
    }),
  );
}
