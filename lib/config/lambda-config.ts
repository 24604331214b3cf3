import { z } from 'zod';
import type { AppConfig } from './app-config-schema.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { Environment } from './env-settings.js';
import { readLambdaSettings } from './lambda-settings.js';
import type { LambdaSettings } from './lambda-settings.js';
import { ENV_VARS, filledBySecret, inSecret } from './env-var-table.js';
import { loadConfig } from './load-config.js';
import { SIEM_SECRET_SHAPES, siemSecretSchema, siemSecretVariables } from './siem-secret.js';
import { namedAfterRoutes, routesFromEnvironment } from './lambda-routes.js';
import { readSecret } from './read-secret.js';
import type { SecretProvider } from './read-secret.js';

export type { SecretProvider } from './read-secret.js';

// Each secret's accepted shapes; strict, so a misspelt key is named instead of ignored.
const mpasSecretSchema = z.union([
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
  z.strictObject({ clientSecret: z.string().min(1), clientId: z.string().min(1).optional() }),
]);
const MPAS_SECRET_SHAPES = '"username" and "password", or "clientSecret" (and optionally "clientId"), and no other keys';
// The variables a secret stands for: all of its group are replaced, so a credential left in
// the environment can neither mix with nor contradict the one in the secret.
const variablesFilledBy = (group: string): string[] => ENV_VARS.filter((spec) => inSecret(spec) && filledBySecret(spec) === group).map(({ name }) => name);
const MPAS_CREDENTIAL_VARS = variablesFilledBy('mpas.credentials');
const SIEM_CREDENTIAL_VARS = variablesFilledBy('siem.auth');

/**
 * Which function loads the configuration. Only the poller signs in to MPAS and only the
 * forwarder talks to the SIEM: each is given only its own secret (least privilege) and loads
 * without the other's. Without a role, both secrets are read (tests, tools).
 */
export type LambdaRole = 'poller' | 'forwarder';

/**
 * The SIEM of the poller's configuration. The schema asks every configuration for a SIEM, but the
 * poller only enqueues: it is not given the SIEM secret, and a SIEM type that requires one (Splunk
 * HEC, Datadog, ...) must not stop it from loading. Visibly not a SIEM, and unresolvable.
 */
export const POLLER_SIEM_URL = 'https://siem-not-available-to-the-poller.invalid';

// Every variable of the SIEM block (SIEM_*, SPLUNK_*, SENTINEL_*, ...), replaced whole for the poller.
const SIEM_SETTING_VARS = ENV_VARS.filter(({ path }) => path === 'siem' || path.startsWith('siem.')).map(({ name }) => name);

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
 * same variables as everywhere, see env-var-table.ts, and the routes from `ROUTES`),
 * credentials from the secrets that `MPAS_SECRET_ARN`, `SIEM_SECRET_ARN` and
 * `ROUTE_SECRET_ARNS` name, merged in as the variables they replace before
 * anything is validated, so a bad secret is reported like a bad variable (under the ARN's
 * variable, never with its value). The forwarder (`role: 'forwarder'`) never reads the MPAS
 * secret. Throws a {@link ConfigError}.
 */
export async function loadLambdaConfig(options: { env?: Environment; secrets: SecretProvider; role?: LambdaRole }): Promise<LambdaConfig> {
  const env = options.env ?? process.env;
  const settings = readLambdaSettings(env);
  // Both read before either fails, so one start-up reports the problems of every secret.
  const [merged, routes] = await Promise.allSettled([withSecrets(env, settings, options.secrets, options.role), routesFromEnvironment(settings, options.secrets)]);
  if (merged.status === 'rejected' || routes.status === 'rejected') {
    const errors = [merged, routes].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const configErrors = errors.filter((error): error is ConfigError => error instanceof ConfigError);
    if (configErrors.length < errors.length) throw errors.find((error) => !(error instanceof ConfigError));
    throw new ConfigError(configErrors.flatMap((error) => error.problems));
  }
  try {
    // Below the environment, as a config file would be: no variable sets `routes`.
    return { config: loadConfig({ env: merged.value, ...(routes.value === undefined ? {} : { defaults: { routes: routes.value as never } }) }), settings };
  } catch (error) {
    throw error instanceof ConfigError ? namedAfterRoutes(error) : error;
  }
}

/**
 * The environment with the secrets' credentials in place of the variables they stand for.
 * Every problem of both secrets is reported at once. For the forwarder, the MPAS credentials
 * are {@link FORWARDER_MPAS_CREDENTIAL} whatever the environment holds, and `MPAS_SECRET_ARN`
 * is not read.
 */
export async function withSecrets(env: Environment, settings: LambdaSettings, secrets: SecretProvider, role?: LambdaRole): Promise<Environment> {
  const merged: Record<string, string | undefined> = { ...env };
  const problems: ConfigProblem[] = [];
  const [mpas, siem] = await Promise.all([
    role !== 'forwarder' && settings.mpasSecretArn !== undefined
      ? readSecret(secrets, { setting: 'MPAS_SECRET_ARN', id: settings.mpasSecretArn, schema: mpasSecretSchema, shapes: MPAS_SECRET_SHAPES }, problems)
      : undefined,
    role === 'poller' || settings.siemSecretArn === undefined
      ? undefined
      : readSecret(secrets, { setting: 'SIEM_SECRET_ARN', id: settings.siemSecretArn, schema: siemSecretSchema, shapes: SIEM_SECRET_SHAPES }, problems),
  ]);
  if (role === 'forwarder') {
    for (const name of MPAS_CREDENTIAL_VARS) delete merged[name];
    // The password grant: valid with any client id the environment names, and no secret needed.
    Object.assign(merged, { MPAS_USERNAME: FORWARDER_MPAS_CREDENTIAL, MPAS_PASSWORD: FORWARDER_MPAS_CREDENTIAL });
  }
  if (role === 'poller') {
    for (const name of SIEM_SETTING_VARS) delete merged[name];
    Object.assign(merged, { SIEM_TYPE: 'https', SIEM_URL: POLLER_SIEM_URL });
  }
  if (mpas) {
    for (const name of MPAS_CREDENTIAL_VARS) delete merged[name];
    if ('username' in mpas) Object.assign(merged, { MPAS_USERNAME: mpas.username, MPAS_PASSWORD: mpas.password });
    else Object.assign(merged, { MPAS_CLIENT_SECRET: mpas.clientSecret }, mpas.clientId ? { MPAS_CLIENT_ID: mpas.clientId } : {});
  }
  if (siem) {
    for (const name of SIEM_CREDENTIAL_VARS) delete merged[name];
    Object.assign(merged, siemSecretVariables(siem));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return merged;
}
