import type { ForwarderConfig } from '../../config/app-config-schema.js';
import { DEFAULT_ROUTE_NAME } from '../../config/app-config-schema.js';
import type { CompactionReport } from './lake-compactor.js';
import { CREATED_BY, lakeSettingsOf } from './config.js';
import type { SecurityLakeSiemConfig } from './config.js';

/** The compaction of one security-lake destination's staging area into its lake. */
export interface LakeCompaction {
  /** The destination's route: `default` for `siem`, else the route's name. */
  readonly route: string;
  /** SECURITY_LAKE_FILE_INTERVAL_MINUTES in milliseconds: how often {@link compact} runs. */
  readonly intervalMs: number;
  /** Where it stages and writes, for logs. */
  readonly staging: string;
  readonly lake: string;
  /** One compaction run (lake-compactor.ts); at most one at a time per staging area. */
  compact(signal?: AbortSignal): Promise<CompactionReport>;
  /** Closes its S3 clients. */
  close(): void;
}

/** What {@link lakeCompactionsFromConfig} takes beside the configuration. */
export interface LakeCompactionOptions {
  /** @default DEFAULT_TOMBSTONE_RETENTION_MS (lake-compactor.ts) */
  readonly tombstoneRetentionMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The destinations a configuration delivers to that are security-lake ones, with their route names. */
export function securityLakeDestinations(config: Pick<ForwarderConfig, 'siem' | 'routes' | 'defaultRoute'>): Array<{ route: string; siem: SecurityLakeSiemConfig }> {
  const destinations = [
    ...(config.defaultRoute === false ? [] : [{ route: DEFAULT_ROUTE_NAME, siem: config.siem }]),
    ...(config.routes ?? []).map(({ name, siem }) => ({ route: name, siem })),
  ];
  return destinations.flatMap(({ route, siem }) => (siem.type === 'security-lake' ? [{ route, siem }] : []));
}

/**
 * One compaction per staging area of the configuration's security-lake destinations (the
 * `siem` one and any route's). Two destinations that stage to the same place and write the same
 * lake are one compaction; staging to the same place for two lakes is refused, since a
 * compaction would write one lake's events into the other.
 * Loads the compactor and the S3 client only when there is a lake.
 */
export async function lakeCompactionsFromConfig(config: Pick<ForwarderConfig, 'siem' | 'routes' | 'defaultRoute'>, options: LakeCompactionOptions = {}): Promise<LakeCompaction[]> {
  const destinations = securityLakeDestinations(config);
  if (destinations.length === 0) return [];
  const [{ compactLake, DEFAULT_MAX_FILE_BYTES, DEFAULT_TOMBSTONE_RETENTION_MS }, { ocsfClassColumns }, { lakeS3Client }] = await Promise.all([
    import('./lake-compactor.js'),
    import('./ocsf-class-columns.js'),
    import('./lake-s3-client.js'),
  ]);
  const byStaging = new Map<string, { route: string; lake: string }>();
  const compactions: LakeCompaction[] = [];
  for (const { route, siem } of destinations) {
    const settings = lakeSettingsOf(siem);
    const staging = `s3://${settings.staging.bucket}/${settings.staging.prefix}`;
    const lake = `s3://${settings.location.bucket}/ext/ (${settings.location.region}, account ${settings.location.accountId})`;
    const earlier = byStaging.get(staging);
    if (earlier !== undefined) {
      if (earlier.lake === lake) continue;
      throw new Error(`routes ${earlier.route} and ${route} stage to ${staging} for two different lakes: give one of them its own SECURITY_LAKE_STAGING_PREFIX (securityLake.stagingPrefix)`);
    }
    byStaging.set(staging, { route, lake });
    const lakeClient = lakeS3Client(settings.location.region, siem);
    const stagingClient = lakeS3Client(settings.stagingRegion, siem);
    compactions.push({
      route,
      intervalMs: settings.fileIntervalMs,
      staging,
      lake,
      compact: (signal) =>
        compactLake({
          location: settings.location,
          sources: settings.sources,
          columnsOf: ocsfClassColumns,
          lakeClient,
          stagingClient,
          staging: settings.staging,
          createdBy: CREATED_BY,
          maxFileBytes: DEFAULT_MAX_FILE_BYTES,
          tombstoneRetentionMs: options.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS,
          ...(options.now === undefined ? {} : { now: options.now }),
          ...(signal === undefined ? {} : { signal }),
        }),
      close: () => {
        lakeClient.destroy();
        stagingClient.destroy();
      },
    });
  }
  return compactions;
}
