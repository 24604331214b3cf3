import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { ENV_VARS, carriedToLambdas } from '../../lib/config/env-var-table.js';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import type { EnvKind } from '../../lib/config/env-var-table.js';
import { valueAt } from './service-settings.js';

/**
 * The environment variables that give the functions a tenant's service settings: the inverse
 * of lib/config's env-settings.ts, row by row of env-var-table.ts, so a Lambda's `loadConfig`
 * reads back the same configuration the tenant file gave (a test checks the round trip).
 */
export function serviceEnvironment(config: AppConfig): Record<string, string> {
  const environment: Record<string, string> = {};
  // The secrets and what goes with them come from Secrets Manager; local-only settings never reach the functions.
  for (const spec of ENV_VARS.filter(carriedToLambdas)) {
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
