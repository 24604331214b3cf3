import type { AppConfig } from '../../lib/config/app-config-schema.js';
import { DEFAULT_ROUTE_NAME } from '../../lib/config/app-config-schema.js';
import { securityLakeDestinations } from '../../lib/sinks/security-lake/lake-compactions.js';
import type { SecurityLakeSiemConfig } from '../../lib/sinks/security-lake/config.js';
import { InfraError } from '../config/infra-errors.js';
import type { SecurityLakeWrite } from './function-grants.js';
import { LAKE_STAGING_PREFIX } from './large-payload-bucket.js';

/** One security-lake destination (`siem` or a route) as the stack stages it. */
export interface StagedSecurityLake {
  /** `default` for `siem`, else the route's name (lake-compactions.ts names its compaction so). */
  readonly route: string;
  /** Where the forwarder stages its events in the large-payload bucket: a prefix of its own. */
  readonly stagingPrefix: string;
  readonly lake: SecurityLakeWrite;
}

/** Every security-lake destination of a tenant, the lakes they write, and how often the compactor runs. */
export interface CompactedSecurityLakes {
  readonly destinations: readonly StagedSecurityLake[];
  /** One per lake bucket, with the custom sources of every destination writing it. */
  readonly lakes: readonly SecurityLakeWrite[];
  /** SECURITY_LAKE_FILE_INTERVAL_MINUTES, the same for every destination: the compactor's schedule. */
  readonly fileIntervalMinutes: number;
}

/** The staging area of the stack: its large-payload bucket and region (CDK tokens in a stack). */
export interface StackStagingArea {
  readonly bucket: string;
  readonly region: string;
}

/**
 * Where the stack stages a destination's events: `security-lake-staging/` for `siem`,
 * `security-lake-staging/routes/<route>/` for a route. Each destination has its own, since one
 * compaction of a staging area writes a single lake with a single set of sources; the compactor
 * lists only `staged/`, `manifests/` and `compacted/` under a prefix, so `routes/` beside them
 * is never taken for the `siem` one's.
 */
export function stackStagingPrefixOf(route: string): string {
  return route === DEFAULT_ROUTE_NAME ? LAKE_STAGING_PREFIX : `${LAKE_STAGING_PREFIX}routes/${route}/`;
}

/**
 * The security-lake destinations of a tenant's settings (the `siem` one unless routes replace
 * it, and every route of that type), or undefined when there is none. One compactor on one
 * schedule serves them all, so they must ask for the same SECURITY_LAKE_FILE_INTERVAL_MINUTES:
 * otherwise this throws, naming each destination and its interval.
 */
export function compactedSecurityLakes(config: Pick<AppConfig, 'tenant' | 'siem' | 'routes' | 'defaultRoute'>): CompactedSecurityLakes | undefined {
  const found = securityLakeDestinations(config);
  const [first] = found;
  if (first === undefined) return undefined;
  const intervals = new Set(found.map(({ siem }) => siem.securityLake.fileIntervalMinutes));
  if (intervals.size > 1) {
    const named = found.map(({ route, siem }) => `${nameOf(route)} ${siem.securityLake.fileIntervalMinutes} min`).join(', ');
    throw new InfraError(
      `tenant ${config.tenant}: the security-lake destinations ask for different fileIntervalMinutes (SECURITY_LAKE_FILE_INTERVAL_MINUTES: ${named}); ` +
        'on AWS one lake compactor on one schedule compacts them all: give them the same interval',
    );
  }
  const byBucket = new Map<string, { sources: Set<string>; kmsKeyArn: string | undefined; route: string }>();
  for (const { route, siem } of found) {
    const { bucket, kmsKeyArn } = siem.securityLake;
    const lake = byBucket.get(bucket) ?? { sources: new Set<string>(), kmsKeyArn, route };
    if (lake.kmsKeyArn !== kmsKeyArn) {
      throw new InfraError(`tenant ${config.tenant}: ${nameOf(lake.route)} and ${nameOf(route)} write the lake bucket ${bucket} with different kmsKeyArn (SECURITY_LAKE_KMS_KEY): a bucket has one key`);
    }
    for (const source of Object.values(siem.securityLake.sources)) lake.sources.add(source);
    byBucket.set(bucket, lake);
  }
  return {
    destinations: found.map(({ route, siem }) => ({ route, stagingPrefix: stackStagingPrefixOf(route), lake: writeOf(siem) })),
    lakes: [...byBucket].map(([bucket, { sources, kmsKeyArn }]) => ({ bucket, sources: [...sources], kmsKeyArn })),
    fileIntervalMinutes: first.siem.securityLake.fileIntervalMinutes,
  };
}

/**
 * The settings with every security-lake destination staging in the stack's area, each under
 * its own prefix ({@link stackStagingPrefixOf}), whatever the tenant file said (its staging
 * settings are for a local `run`): what the forwarder's and the compactor's environments are
 * written from, the routes' as part of `ROUTES`.
 */
export function withStackStaging<C extends Pick<AppConfig, 'siem' | 'routes' | 'defaultRoute'>>(config: C, area: StackStagingArea): C {
  const staged = (route: string, siem: C['siem']): C['siem'] =>
    siem.type !== 'security-lake'
      ? siem
      : { ...siem, securityLake: { ...siem.securityLake, stagingBucket: area.bucket, stagingPrefix: stackStagingPrefixOf(route), stagingRegion: area.region } };
  return {
    ...config,
    // With the routes alone (defaultRoute false), `siem` is the first route's copy and is not written to the environment.
    siem: config.defaultRoute === false ? config.siem : staged(DEFAULT_ROUTE_NAME, config.siem),
    ...(config.routes === undefined ? {} : { routes: config.routes.map((route) => ({ ...route, siem: staged(route.name, route.siem) })) }),
  };
}

/**
 * The settings the compactor is given: its security-lake destinations only. The others are left
 * out, so it reads no SIEM or route secret (it is granted none) and needs no setting of theirs:
 * with a `siem` of another type, the lake routes become the only routes (defaultRoute false,
 * forwarderEnvironment then writes no SIEM_* variable). No archive: the compactor writes none.
 * Undefined without a security-lake destination.
 */
export function lakeCompactorConfig(config: AppConfig): AppConfig | undefined {
  const lakeRoutes = (config.routes ?? []).filter((route) => route.siem.type === 'security-lake');
  const { archive: _archive, routes: _routes, defaultRoute: _defaultRoute, ...rest } = config;
  if (config.defaultRoute !== false && config.siem.type === 'security-lake') {
    return lakeRoutes.length === 0 ? rest : { ...rest, routes: lakeRoutes, defaultRoute: true };
  }
  const [first] = lakeRoutes;
  if (first === undefined) return undefined;
  return { ...rest, siem: first.siem, routes: lakeRoutes, defaultRoute: false };
}

function writeOf(siem: SecurityLakeSiemConfig): SecurityLakeWrite {
  const { bucket, sources, kmsKeyArn } = siem.securityLake;
  return { bucket, sources: [...new Set(Object.values(sources))], kmsKeyArn };
}

function nameOf(route: string): string {
  return route === DEFAULT_ROUTE_NAME ? 'siem' : `route ${route}`;
}
