import * as z from 'zod';
import { ENV_VARS, filledBySecret, inSecret } from './env-var-table.js';
import type { ConfigProblem } from './config-error.js';
import { readSecret } from './read-secret.js';
import type { SecretProvider } from './read-secret.js';

// The accepted shapes; strict, so a misspelt key is named instead of ignored.
const mpasSecretSchema = z.union([
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ clientSecret: z.string().min(1), clientId: z.string().min(1).optional() }),
]);
const MPAS_SECRET_SHAPES = '"username" and "password", or "clientSecret" (and optionally "clientId"), and no other keys';

/** The MPAS credentials that `MPAS_SECRET_ARN`'s secret holds. */
export type MpasSecret = z.infer<typeof mpasSecretSchema>;

/**
 * The variables a secret stands for: all of its group are replaced, so a credential left in the
 * environment can neither mix with nor contradict the one in the secret.
 */
export function variablesFilledBy(group: string): string[] {
  return ENV_VARS.filter((spec) => inSecret(spec) && filledBySecret(spec) === group).map(({ name }) => name);
}

/** The MPAS secret, or undefined with its problems added to `problems` (under MPAS_SECRET_ARN, never with a value). */
export function readMpasSecret(secrets: SecretProvider, arn: string, problems: ConfigProblem[]): Promise<MpasSecret | undefined> {
  return readSecret(secrets, { setting: 'MPAS_SECRET_ARN', id: arn, schema: mpasSecretSchema, shapes: MPAS_SECRET_SHAPES }, problems);
}

/** Replaces the MPAS credential variables of `merged` with the secret's. */
export function applyMpasSecret(merged: Record<string, string | undefined>, secret: MpasSecret): void {
  for (const name of variablesFilledBy('mpas.credentials')) delete merged[name];
  if ('username' in secret) Object.assign(merged, { MPAS_USERNAME: secret.username, MPAS_PASSWORD: secret.password });
  else Object.assign(merged, { MPAS_CLIENT_SECRET: secret.clientSecret }, secret.clientId ? { MPAS_CLIENT_ID: secret.clientId } : {});
}
