import { z } from 'zod';
import type { AppConfig } from './app-config-schema.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { Environment } from './env-settings.js';
import { readLambdaSettings } from './lambda-settings.js';
import type { LambdaSettings } from './lambda-settings.js';
import { loadConfig } from './load-config.js';

/**
 * Fetches a secret's text by ARN (Secrets Manager's `SecretString`). On Lambda, Powertools'
 * cached `getSecret`; in tests, a plain function.
 */
export type SecretProvider = (arn: string) => Promise<string | Uint8Array | undefined>;

// Each secret's accepted shapes; strict, so a misspelt key is named instead of ignored.
const mpasSecretSchema = z.union([
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ clientSecret: z.string().min(1), clientId: z.string().min(1).optional() }),
]);
const siemSecretSchema = z.union([
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({ authHeader: z.string().min(1) }),
  // Elasticsearch and Datadog API keys (SIEM_API_KEY).
  z.strictObject({ apiKey: z.string().min(1) }),
  // Sentinel's Entra ID app registration (SIEM_CLIENT_SECRET).
  z.strictObject({ clientSecret: z.string().min(1) }),
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
]);

// The variables a secret stands for: all of its group are replaced, so a credential left in
// the environment can neither mix with nor contradict the one in the secret.
const MPAS_CREDENTIAL_VARS = ['MPAS_USERNAME', 'MPAS_PASSWORD', 'MPAS_CLIENT_SECRET'];
const SIEM_CREDENTIAL_VARS = ['SIEM_TOKEN', 'SIEM_AUTH_HEADER', 'SIEM_API_KEY', 'SIEM_CLIENT_SECRET', 'SIEM_USERNAME', 'SIEM_PASSWORD'];

/**
 * Which function loads the configuration. Only the poller signs in to MPAS: the forwarder is
 * not given the MPAS secret (least privilege) and loads without it.
 */
export type LambdaRole = 'poller' | 'forwarder';

/**
 * The MPAS credentials of the forwarder's configuration. The schema asks every configuration for
 * MPAS credentials, but the forwarder never calls MPAS and may not read the MPAS secret, so it
 * gets these instead: visibly not a credential, and refused by any MPAS if ever sent.
 */
export const FORWARDER_MPAS_CREDENTIAL = 'not-available-to-the-forwarder';

/** The Lambda's configuration: the tenant's settings and the Lambda's own wiring. */
export interface LambdaConfig {
  config: AppConfig;
  settings: LambdaSettings;
}

/**
 * Loads the configuration of a Lambda function: non-secret settings from the environment (the
 * same variables as everywhere, see env-var-table.ts), credentials from the secrets that
 * `MPAS_SECRET_ARN` and `SIEM_SECRET_ARN` name, merged in as the variables they replace before
 * anything is validated, so a bad secret is reported like a bad variable (under the ARN's
 * variable, never with its value). The forwarder (`role: 'forwarder'`) never reads the MPAS
 * secret. Throws a {@link ConfigError}.
 */
export async function loadLambdaConfig(options: { env?: Environment; secrets: SecretProvider; role?: LambdaRole }): Promise<LambdaConfig> {
  const env = options.env ?? process.env;
  const settings = readLambdaSettings(env);
  const merged = await withSecrets(env, settings, options.secrets, options.role);
  return { config: loadConfig({ env: merged }), settings };
}

/**
 * The environment with the secrets' credentials in place of the variables they stand for.
 * Every problem of both secrets is reported at once. For the forwarder, the MPAS credentials
 * are {@link FORWARDER_MPAS_CREDENTIAL} whatever the environment holds, and `MPAS_SECRET_ARN`
 * is not read.
 */
export async function withSecrets(env: Environment, settings: LambdaSettings, secrets: SecretProvider, role: LambdaRole = 'poller'): Promise<Environment> {
  const merged: Record<string, string | undefined> = { ...env };
  const problems: ConfigProblem[] = [];
  const [mpas, siem] = await Promise.all([
    role === 'poller' ? readSecret('MPAS_SECRET_ARN', settings.mpasSecretArn, secrets, mpasSecretSchema, problems) : undefined,
    readSecret('SIEM_SECRET_ARN', settings.siemSecretArn, secrets, siemSecretSchema, problems),
  ]);
  if (role === 'forwarder') {
    for (const name of MPAS_CREDENTIAL_VARS) delete merged[name];
    // The password grant: valid with any client id the environment names, and no secret needed.
    Object.assign(merged, { MPAS_USERNAME: FORWARDER_MPAS_CREDENTIAL, MPAS_PASSWORD: FORWARDER_MPAS_CREDENTIAL });
  }
  if (mpas) {
    for (const name of MPAS_CREDENTIAL_VARS) delete merged[name];
    if ('username' in mpas) Object.assign(merged, { MPAS_USERNAME: mpas.username, MPAS_PASSWORD: mpas.password });
    else Object.assign(merged, { MPAS_CLIENT_SECRET: mpas.clientSecret }, mpas.clientId ? { MPAS_CLIENT_ID: mpas.clientId } : {});
  }
  if (siem) {
    for (const name of SIEM_CREDENTIAL_VARS) delete merged[name];
    if ('token' in siem) merged['SIEM_TOKEN'] = siem.token;
    else if ('authHeader' in siem) merged['SIEM_AUTH_HEADER'] = siem.authHeader;
    else if ('apiKey' in siem) merged['SIEM_API_KEY'] = siem.apiKey;
    else if ('clientSecret' in siem) merged['SIEM_CLIENT_SECRET'] = siem.clientSecret;
    else Object.assign(merged, { SIEM_USERNAME: siem.username, SIEM_PASSWORD: siem.password });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return merged;
}

async function readSecret<T>(
  variable: string,
  arn: string | undefined,
  secrets: SecretProvider,
  schema: z.ZodType<T>,
  problems: ConfigProblem[],
): Promise<T | undefined> {
  if (arn === undefined) return undefined;
  let text: string | Uint8Array | undefined;
  try {
    text = await secrets(arn);
  } catch (error) {
    // The SDK's message names the ARN and the denial, never the secret's value.
    problems.push({ setting: variable, message: `the secret ${arn} cannot be read: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
  if (text === undefined) {
    problems.push({ setting: variable, message: `the secret ${arn} has no value` });
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    // JSON.parse quotes the text it failed on: its message must not reach the error.
    problems.push({ setting: variable, message: `the secret ${arn} is not JSON` });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    problems.push({ setting: variable, message: `the secret ${arn} must be a JSON object with ${describeShapes(variable)}` });
    return undefined;
  }
  return parsed.data;
}

function describeShapes(variable: string): string {
  return variable === 'MPAS_SECRET_ARN'
    ? '"username" and "password", or "clientSecret" (and optionally "clientId"), and no other keys'
    : '"token", "authHeader" ("Name: value"), "apiKey", "clientSecret", or "username" and "password", and no other keys';
}
