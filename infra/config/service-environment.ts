import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { isSecretPath } from '../../lib/config/config-secrets.js';
import { ENV_VARS } from '../../lib/config/env-var-table.js';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import type { EnvKind } from '../../lib/config/env-var-table.js';
import { valueAt } from './service-settings.js';

/**
 * Settings that never become a variable of the functions besides the secrets (the schema marks
 * those; the Lambdas read them from Secrets Manager): the user name that goes with a password,
 * local files and the local mode's state and interval.
 */
const NOT_IN_ENVIRONMENT = new Set(['mpas.credentials.username', 'mpas.caFile', 'siem.caFile', 'stateDir', 'polling.intervalMs']);
// A group of SIEM credentials is read from its secret whole, user name and header name included.
const NEVER_WRITTEN: ReadonlySet<EnvKind> = new Set(['siemAuth', 'configFile']);

/**
 * The environment variables that give the functions a tenant's service settings: the inverse
 * of lib/config's env-settings.ts, row by row of env-var-table.ts, so a Lambda's `loadConfig`
 * reads back the same configuration the tenant file gave (a test checks the round trip).
 */
export function serviceEnvironment(config: AppConfig): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const spec of ENV_VARS) {
    if (isSecretPath(spec.path.split('.')) || NEVER_WRITTEN.has(spec.kind) || NOT_IN_ENVIRONMENT.has(spec.path)) continue;
    const value = valueAt(config, spec.path);
    if (value === undefined) continue;
    environment[spec.name] = asText(spec.kind, value);
  }
  return environment;
}

function asText(kind: EnvKind, value: unknown): string {
  switch (kind) {
    case 'json':
      return JSON.stringify(value);
    case 'list':
    case 'wordList':
    case 'redactList':
    case 'fields':
      return Array.isArray(value) ? value.join(',') : String(value);
    default:
      return String(value);
  }
}

/**
 * The forwarder's service variables: those of {@link serviceEnvironment} and, with routes,
 * `ROUTES` (lib/config/lambda-routes.ts) without any route's `siem.auth`, which comes from the
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
