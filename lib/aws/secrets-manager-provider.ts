import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretProvider } from '../config/lambda-config.js';

/**
 * How long a fetched secret is reused: warm invocations every minute then cost no Secrets
 * Manager call, and a rotated secret takes effect within this many seconds.
 */
const SECRET_MAX_AGE_SECONDS = 300;

/** Reads secrets from AWS Secrets Manager through Powertools' cached `getSecret`. */
export const secretsManagerProvider: SecretProvider = async (arn) => {
  const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS });
  return value ?? undefined;
};
