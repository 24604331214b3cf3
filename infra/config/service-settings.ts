import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { secretPathPatterns } from '../../lib/config/config-secrets.js';
import { isPlainObject } from '../../lib/config/config-values.js';
import { appConfigWithoutSecretsSchema } from '../../lib/config/config-without-secrets.js';
import { ENV_VARS } from '../../lib/config/env-var-table.js';
import { urlSecretParts } from '../../lib/config/url-secrets.js';
import { compileFilter } from '../../lib/core/pipeline/event-filter.js';
import { FilterError } from '../../lib/core/pipeline/filter-error.js';
import type { TenantProblem } from './infra-errors.js';

/** How the poller signs in to MPAS; the credentials themselves are in the MPAS secret. */
export type MpasGrant = 'password' | 'client_credentials';
/** How the forwarder signs in to the SIEM; its credentials are in the SIEM secret (none: no secret). */
export type SiemAuthKind = AppConfig['siem']['auth']['kind'];

/** A tenant's service settings, validated by lib/config's schema, and what its secrets hold. */
export interface ServiceSettings {
  /**
   * The validated configuration, without what the secrets give (the credentials, the header
   * name, the hash key: only Secrets Manager holds them): the stack reads every other setting.
   */
  readonly config: AppConfig;
  readonly mpasGrant: MpasGrant;
  readonly siemAuthKind: SiemAuthKind;
  /** Each route that authenticates, by name, and how: its credentials are in its own secret. */
  readonly routeAuthKinds: ReadonlyMap<string, SiemAuthKind>;
}

const SECRET = 'is a secret: it belongs in the tenant\'s Secrets Manager secret, never in the tenant file';
const ROUTE_SECRET = 'is a secret: it belongs in the route\'s Secrets Manager secret, never in the tenant file';
const SECRET_PART = 'belongs in the Secrets Manager secret, next to the credential it goes with';

const ROUTE_PREFIX = 'routes.*.';

/**
 * Settings a tenant file may not hold, and why, read from the table of settings
 * (env-var-table.ts): every secret (routes' copies included), what goes with a credential in
 * its secret, and the local-only settings. The header name, which SIEM_AUTH_HEADER's text
 * fills beside its value, is told how the secret holds it.
 */
const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ...secretPathPatterns()
    .filter((path) => !path.startsWith(ROUTE_PREFIX))
    .map((path) => [path, SECRET] as const),
  ...ENV_VARS.filter((spec) => spec.besideSecret === true).map((spec) => [spec.path, SECRET_PART] as const),
  ['siem.auth.name', 'belongs in the SIEM secret, as "authHeader": "Name: value"'],
  ...ENV_VARS.flatMap((spec) => (spec.localOnly === undefined ? [] : [[spec.path, spec.localOnly] as const])),
];

/**
 * Validates a tenant file's `service` section with lib/config's `appConfigSchema` (the one
 * schema of every setting) less the values Secrets Manager gives the functions
 * (config-without-secrets.ts): secrets and local-only settings are refused by name, and each
 * problem is named `service.<path>`.
 */
export function validateServiceSettings(service: Record<string, unknown>, tenant: string): { settings?: ServiceSettings; problems: TenantProblem[] } {
  const problems: TenantProblem[] = [];
  for (const [path, message] of REFUSED) {
    if (valueAt(service, path) !== undefined) problems.push({ setting: `service.${path}`, message });
  }
  problems.push(...urlsCarryingSecrets(service));
  // A route's siem and redaction hold the same secrets as the top-level ones: refused alike.
  const routeInputs = Array.isArray(service['routes']) ? (service['routes'] as unknown[]) : [];
  const routeSecrets = secretPathPatterns().filter((path) => path.startsWith(ROUTE_PREFIX)).map((path) => path.slice(ROUTE_PREFIX.length));
  routeInputs.forEach((route, index) => {
    for (const path of routeSecrets) {
      if (valueAt(route, path) !== undefined) problems.push({ setting: `service.routes.${index}.${path}`, message: ROUTE_SECRET });
    }
    for (const [path, message] of REFUSED) {
      if (message !== SECRET && (path.startsWith('siem.') || path.startsWith('redaction.')) && valueAt(route, path) !== undefined) {
        problems.push({ setting: `service.routes.${index}.${path}`, message });
      }
    }
    if (valueAt(route, 'redaction.mode') === 'hash') {
      problems.push({ setting: `service.routes.${index}.redaction.mode`, message: 'hash needs a hash key, which the Lambdas cannot read from Secrets Manager yet: use mask or remove' });
    }
  });
  if (service['defaultRoute'] === false && service['siem'] !== undefined) {
    problems.push({
      setting: 'service.defaultRoute',
      message: 'false cannot reach the Lambda functions (no variable carries it): leave out siem instead, which makes the routes the only destinations',
    });
  }
  if (valueAt(service, 'redaction.mode') === 'hash') {
    problems.push({
      setting: 'service.redaction.mode',
      message: 'hash needs a hash key, which the Lambdas cannot read from Secrets Manager yet: use mask or remove',
    });
  }
  if (service['tenant'] !== undefined && service['tenant'] !== tenant) {
    problems.push({ setting: 'service.tenant', message: `must be left out or match the file's name (${tenant})` });
  }

  const mpas = isPlainObject(service['mpas']) ? service['mpas'] : {};
  const credentials = isPlainObject(mpas['credentials']) ? mpas['credentials'] : {};
  // The environment tells the grant by the credentials given; a tenant file, which holds none, names it (password unless said).
  const input = { ...service, tenant, mpas: { ...mpas, credentials: { ...credentials, grant: credentials['grant'] ?? 'password' } } };
  const parsed = appConfigWithoutSecretsSchema().safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = ['service', ...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.');
        problems.push({ setting: path, message: key === undefined ? issue.message : 'is not a known setting' });
      }
    }
  }
  if (problems.length > 0 || !parsed.success) return { problems };
  const config = parsed.data;
  // Compiled now, so a bad filter fails the synth instead of every forwarder invocation.
  const filters = [
    { at: 'service', filter: config.filter },
    ...(config.routes ?? []).map((route, index) => ({ at: `service.routes.${index}`, filter: route.filter })),
  ];
  for (const { at, filter } of filters) {
    if (filter === undefined) continue;
    try {
      compileFilter(filter);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      problems.push({ setting: `${at}.${error.path}`, message: error.problem });
    }
  }
  if (problems.length > 0) return { problems };
  return {
    settings: {
      config,
      mpasGrant: config.mpas.credentials.grant,
      // With the routes as the only destinations, `siem` is the first route's copy: no SIEM secret.
      siemAuthKind: config.defaultRoute === false ? 'none' : config.siem.auth.kind,
      routeAuthKinds: new Map((config.routes ?? []).filter((route) => route.siem.auth.kind !== 'none').map((route) => [route.name, route.siem.auth.kind])),
    },
    problems,
  };
}

const URL_SECRET =
  'carries a credential (user info, a secret-looking query parameter such as api-key, token or sig, or a Sumo Logic source token): ' +
  'it would stand in clear in the template and the Lambda environment. Give the credential to siem.auth instead, whose value is kept in the Secrets Manager secret';

/** Every URL of the service settings that carries a credential, by its `service.<path>`. */
function urlsCarryingSecrets(service: Record<string, unknown>): TenantProblem[] {
  const problems: TenantProblem[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && urlSecretParts(value).length > 0) problems.push({ setting: path, message: URL_SECRET });
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}.${index}`));
    else if (isPlainObject(value)) for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
  };
  walk(service, 'service');
  return problems;
}

/** The value at a dotted path, or undefined. */
export function valueAt(source: unknown, path: string): unknown {
  let current = source;
  for (const key of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
