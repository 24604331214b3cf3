import { isDeepStrictEqual } from 'node:util';
import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { ConfigError } from '../../lib/config/config-error.js';
import { isPlainObject } from '../../lib/config/config-values.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { TenantProblem } from './infra-errors.js';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import { ENV_VARS, filledBySecret, inSecret } from '../../lib/config/env-var-table.js';
import { forwarderEnvironment } from '../../lib/config/lambda-config.js';
import { writeEnvSettings } from '../../lib/config/env-settings.js';
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
  let loaded: AppConfig;
  try {
    const environment = forwarderEnvironment(settings.config);
    const routes = environment[LAMBDA_ENV_VARS.routes];
    // The credentials as their secrets give them (the validated config's stand-ins, written by
    // the same writer); ROUTES as lib/config/lambda-config.ts reads it: below the variables.
    // With the routes as the only destinations there is no SIEM secret (`siem` is the first route's copy).
    const secretRows = ENV_VARS.filter((spec) => inSecret(spec) && (settings.siemAuthKind !== 'none' || !spec.path.startsWith('siem.')));
    const secrets = writeEnvSettings(settings.config, secretRows);
    loaded = loadConfig({ env: { ...environment, ...secrets }, ...(routes === undefined ? {} : { defaults: { routes: JSON.parse(routes) as never } }) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => ({ setting: 'service', message: `does not read back in the functions: ${problem.setting}: ${problem.message}` }));
  }
  return differences(settings.config, loaded, '').map((path) => ({
    setting: `service.${path}`,
    message: 'cannot reach the Lambda functions yet: no environment variable carries it',
  }));
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
