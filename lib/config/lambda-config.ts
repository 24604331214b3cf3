import type { AppConfig, ForwarderConfig, PollerConfig } from './app-config-schema.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { writeEnvSettings } from './env-settings.js';
import type { Environment } from './env-settings.js';
import { LAMBDA_ENV_VARS, readLambdaSettings } from './lambda-settings.js';
import type { LambdaSettings } from './lambda-settings.js';
import { ENV_VARS, carriedToLambdas } from './env-var-table.js';
import { loadConfig, loadForwarderConfig } from './load-config.js';
import { loadPollerLambdaConfig } from './poller-lambda-config.js';
import { SIEM_SECRET_SHAPES, siemSecretSchema, siemSecretVariables } from './siem-secret.js';
import { namedAfterRoutes, routesFromEnvironment } from './lambda-routes.js';
import { readSecret } from './read-secret.js';
import { applyMpasSecret, readMpasSecret, variablesFilledBy } from './mpas-secret.js';
import type { SecretProvider } from './read-secret.js';

export type { SecretProvider } from './read-secret.js';

// The variables the SIEM secret stands for (see variablesFilledBy).
const SIEM_CREDENTIAL_VARS = variablesFilledBy('siem.auth');

/**
 * Which function loads the configuration. Only the poller signs in to MPAS and only the
 * forwarder talks to the SIEM: each is given only its own secret (least privilege) and loads
 * only its half of the configuration. Without a role, the whole configuration and both secrets
 * are read (tests, tools).
 */
export type LambdaRole = 'poller' | 'forwarder';

/** The Lambda's configuration: the tenant's settings (its role's half) and the Lambda's own wiring. */
export interface LambdaConfig<C = AppConfig> {
  config: C;
  settings: LambdaSettings;
}

/** Where {@link loadLambdaConfig} reads from. */
export interface LoadLambdaConfigOptions {
  env?: Environment;
  secrets: SecretProvider;
}

/**
 * Loads the configuration of a Lambda function: non-secret settings from the environment (the
 * same variables as everywhere, see env-var-table.ts, and the forwarder's routes from `ROUTES`),
 * credentials from the secrets that `MPAS_SECRET_ARN`, `SIEM_SECRET_ARN` and
 * `ROUTE_SECRET_ARNS` name, merged in as the variables they replace before anything is
 * validated, so a bad secret is reported like a bad variable (under the ARN's variable, never
 * with its value). The poller (`role: 'poller'`) reads MPAS and never the SIEM secret; the
 * forwarder reads its destinations and never the MPAS secret. Throws a {@link ConfigError}.
 */
export async function loadLambdaConfig(options: LoadLambdaConfigOptions & { role: 'poller' }): Promise<LambdaConfig<PollerConfig>>;
export async function loadLambdaConfig(options: LoadLambdaConfigOptions & { role: 'forwarder' }): Promise<LambdaConfig<ForwarderConfig>>;
export async function loadLambdaConfig(options: LoadLambdaConfigOptions & { role?: undefined }): Promise<LambdaConfig>;
export async function loadLambdaConfig(options: LoadLambdaConfigOptions & { role?: LambdaRole }): Promise<LambdaConfig<AppConfig | PollerConfig | ForwarderConfig>> {
  if (options.role === 'poller') return loadPollerLambdaConfig(options);
  const env = options.env ?? process.env;
  const settings = readLambdaSettings(env);
  const { role } = options;
  // Both read before either fails, so one start-up reports the problems of every secret.
  const [merged, routes] = await Promise.allSettled([
    withSecrets(env, settings, options.secrets, role),
    routesFromEnvironment(settings, options.secrets),
  ]);
  if (merged.status === 'rejected' || routes.status === 'rejected') {
    const errors = [merged, routes].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const configErrors = errors.filter((error): error is ConfigError => error instanceof ConfigError);
    if (configErrors.length < errors.length) throw errors.find((error) => !(error instanceof ConfigError));
    throw new ConfigError(configErrors.flatMap((error) => error.problems));
  }
  // Below the environment, as a config file would be: no variable sets `routes`.
  const load = { env: merged.value, ...(routes.value === undefined ? {} : { defaults: { routes: routes.value as never } }) };
  try {
    const config = role === 'forwarder' ? loadForwarderConfig(load) : loadConfig(load);
    return { config, settings };
  } catch (error) {
    throw error instanceof ConfigError ? namedAfterRoutes(error) : error;
  }
}

/**
 * The environment with the secrets' credentials in place of the variables they stand for.
 * Every problem of both secrets is reported at once. The forwarder does not read
 * `MPAS_SECRET_ARN`, nor the poller `SIEM_SECRET_ARN`.
 */
export async function withSecrets(env: Environment, settings: LambdaSettings, secrets: SecretProvider, role?: LambdaRole): Promise<Environment> {
  const merged: Record<string, string | undefined> = { ...env };
  const problems: ConfigProblem[] = [];
  const [mpas, siem] = await Promise.all([
    role !== 'forwarder' && settings.mpasSecretArn !== undefined
      ? readMpasSecret(secrets, settings.mpasSecretArn, problems)
      : undefined,
    role === 'poller' || settings.siemSecretArn === undefined
      ? undefined
      : readSecret(secrets, { setting: 'SIEM_SECRET_ARN', id: settings.siemSecretArn, schema: siemSecretSchema, shapes: SIEM_SECRET_SHAPES }, problems),
  ]);
  if (mpas) applyMpasSecret(merged, mpas);
  if (siem) {
    for (const name of SIEM_CREDENTIAL_VARS) delete merged[name];
    Object.assign(merged, siemSecretVariables(siem));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return merged;
}

/**
 * The inverse of {@link loadLambdaConfig}: the variables that give a function a tenant's service
 * settings, every row of env-var-table.ts carried to the Lambdas (no secret, nothing local), so
 * the function reads back the configuration the tenant file gave (infra checks the round trip).
 * The poller's and the verifier's environment.
 */
export function serviceEnvironment(config: AppConfig): Record<string, string> {
  return writeEnvSettings(config, ENV_VARS.filter(carriedToLambdas));
}

/**
 * The forwarder's service variables: those of {@link serviceEnvironment} and, with routes,
 * `ROUTES` (read by lambda-routes.ts) without any route's `siem.auth`, which comes from the
 * route's secret (`ROUTE_SECRET_ARNS`, set by the function's construct). When the routes are
 * the only destinations, the `SIEM_*` variables are left out: there `siem` is only the first
 * route's copy, and a `SIEM_URL` would make it a second destination of the same events.
 */
export function forwarderEnvironment(config: AppConfig): Record<string, string> {
  const environment = serviceEnvironment(config);
  if (config.routes === undefined) return environment;
  if (config.defaultRoute === false) {
    for (const spec of ENV_VARS) if (spec.path.startsWith('siem.')) delete environment[spec.name];
  }
  const routes = config.routes.map(({ siem, ...route }) => {
    const { auth: _auth, ...withoutAuth } = siem;
    return { ...route, siem: withoutAuth };
  });
  environment[LAMBDA_ENV_VARS.routes] = JSON.stringify(routes);
  return environment;
}
