import { isDeepStrictEqual } from 'node:util';
import type { AppConfig, RouteConfig } from '../../lib/config/app-config-schema.js';
import { ConfigError } from '../../lib/config/config-error.js';
import { isPlainObject } from '../../lib/config/config-values.js';
import { loadConfigWithoutSecrets } from '../../lib/config/load-config.js';
import type { TenantProblem } from './infra-errors.js';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import { ENV_VARS, filledBySecret, inSecret } from '../../lib/config/env-var-table.js';
import { forwarderEnvironment } from '../../lib/config/lambda-config.js';
import type { ServiceSettings } from './service-settings.js';

/**
 * Parts that reach the functions another way (the objects a secret fills whole: `mpas.credentials`,
 * `siem.auth`) or not at all (local-only settings), read from the table of settings.
 */
const NOT_CARRIED = new Set([
  ...ENV_VARS.filter(inSecret).map(filledBySecret),
  ...ENV_VARS.filter((spec) => spec.localOnly !== undefined).map((spec) => spec.path),
]);

/**
 * The service settings that would not reach the functions: the functions read their settings
 * from environment variables only (the forwarder's, with ROUTES), so each setting no variable
 * carries (`defaultRoute` beside `siem`, the archive, anything lib/config adds before
 * env-var-table.ts has a row for it) is named here instead of
 * being dropped without a word. Checked by reading the environment back with lib/config.
 */
export function settingsLostInEnvironment(settings: ServiceSettings): TenantProblem[] {
  const { config } = settings;
  let loaded: AppConfig;
  try {
    const environment = forwarderEnvironment(config);
    const routesText = environment[LAMBDA_ENV_VARS.routes];
    // ROUTES as lib/config/lambda-config.ts reads it, below the variables, each route with the
    // auth its secret gives; the grant and the auth the secrets give, as the tenant file names
    // them (no value: what Secrets Manager gives is left out of the schema here, as it was when
    // the tenant file was validated). With the routes as the only destinations, `siem` is the
    // first route's copy and no variable carries it.
    const routes = routesText === undefined ? undefined : (JSON.parse(routesText) as Array<Record<string, unknown>>).map((route, index) => withAuthOf(config.routes?.[index], route));
    const fromSecrets = { mpas: { credentials: config.mpas.credentials }, ...(config.defaultRoute === false ? {} : { siem: { auth: config.siem.auth } }) };
    loaded = loadConfigWithoutSecrets({ env: environment, defaults: { ...fromSecrets, ...(routes === undefined ? {} : { routes }) } as never });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => ({ setting: 'service', message: `does not read back in the functions: ${problem.setting}: ${problem.message}` }));
  }
  return differences(config, loaded, '').map((path) => ({
    setting: `service.${path}`,
    message: 'cannot reach the Lambda functions yet: no environment variable carries it',
  }));
}

/** A route of ROUTES with the `siem.auth` its route secret gives (lambda-routes.ts), as the tenant file's route names it. */
function withAuthOf(validated: RouteConfig | undefined, route: Record<string, unknown>): Record<string, unknown> {
  if (validated === undefined || !isPlainObject(route['siem'])) return route;
  return { ...route, siem: { ...route['siem'], auth: validated.siem.auth } };
}

function differences(expected: unknown, actual: unknown, path: string): string[] {
  // A route's credentials come from its own secret (ROUTE_SECRET_ARNS), like siem.auth.
  if (NOT_CARRIED.has(path) || /^routes\.\d+\.siem\.auth$/.test(path)) return [];
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((item, index) => differences(item, actual[index], `${path}.${index}`));
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) => differences(expected[key], actual[key], path === '' ? key : `${path}.${key}`));
  }
  return isDeepStrictEqual(expected, actual) ? [] : [path];
}
