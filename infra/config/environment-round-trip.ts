import { isDeepStrictEqual } from 'node:util';
import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { ConfigError } from '../../lib/config/config-error.js';
import { isPlainObject } from '../../lib/config/config-values.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { TenantProblem } from './infra-errors.js';
import { serviceEnvironment } from './service-environment.js';
import { CREDENTIAL_PLACEHOLDER } from './service-settings.js';
import type { ServiceSettings } from './service-settings.js';

/** Parts that reach the functions another way (the secrets) or not at all (local-only settings). */
const NOT_CARRIED = new Set(['mpas.credentials', 'siem.auth', 'stateDir', 'polling.intervalMs']);

/** What the secrets add to the environment in lib/config/lambda-config.ts, per kind of credentials. */
function secretVariables({ mpasGrant, siemAuthKind }: ServiceSettings): Record<string, string> {
  const mpas: Record<string, string> = mpasGrant === 'password' ? { MPAS_USERNAME: CREDENTIAL_PLACEHOLDER, MPAS_PASSWORD: CREDENTIAL_PLACEHOLDER } : { MPAS_CLIENT_SECRET: CREDENTIAL_PLACEHOLDER };
  const siem: Record<string, Record<string, string>> = {
    bearer: { SIEM_TOKEN: CREDENTIAL_PLACEHOLDER },
    header: { SIEM_AUTH_HEADER: `X-Placeholder: ${CREDENTIAL_PLACEHOLDER}` },
    basic: { SIEM_USERNAME: CREDENTIAL_PLACEHOLDER, SIEM_PASSWORD: CREDENTIAL_PLACEHOLDER },
    apiKey: { SIEM_API_KEY: CREDENTIAL_PLACEHOLDER },
    clientSecret: { SIEM_CLIENT_SECRET: CREDENTIAL_PLACEHOLDER },
  };
  return { ...mpas, ...(siem[siemAuthKind] ?? {}) };
}

/**
 * The service settings that would not reach the functions: the functions read their settings
 * from environment variables only, so each setting no variable carries (routes, the archive,
 * anything lib/config adds before env-var-table.ts has a row for it) is named here instead of
 * being dropped without a word. Checked by reading the environment back with lib/config.
 */
export function settingsLostInEnvironment(settings: ServiceSettings): TenantProblem[] {
  let loaded: AppConfig;
  try {
    loaded = loadConfig({ env: { ...serviceEnvironment(settings.config), ...secretVariables(settings) } });
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
  if (NOT_CARRIED.has(path)) return [];
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) => differences(expected[key], actual[key], path === '' ? key : `${path}.${key}`));
  }
  return isDeepStrictEqual(expected, actual) ? [] : [path];
}
