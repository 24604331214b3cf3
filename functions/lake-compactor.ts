import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { secretsManagerProvider } from '../lib/aws/secrets-manager-provider.js';
import { serviceMetrics } from '../lib/aws/service-metrics.js';
import type { ForwarderConfig } from '../lib/config/app-config-schema.js';
import { loadLambdaConfig } from '../lib/config/lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import { lakeCompactionsFromConfig } from '../lib/sinks/security-lake/lake-compactions.js';
import type { LakeCompaction, LakeCompactionOptions } from '../lib/sinks/security-lake/lake-compactions.js';
import type { CompactionReport } from '../lib/sinks/security-lake/lake-compactor.js';

/** What the compactor handler is built from; the Lambda uses the defaults, tests pass emulators. */
export interface LakeCompactorHandlerDeps {
  /** Loads the configuration on every invocation: the forwarder's half, where the lake is. */
  load: () => Promise<LambdaConfig<ForwarderConfig>>;
  /** Builds the compactions of a configuration. @default lakeCompactionsFromConfig */
  compactions?: (config: ForwarderConfig, options: LakeCompactionOptions) => Promise<LakeCompaction[]>;
  /** How long a tombstone is kept. @default the compactor's (the stack's lifecycle rule matches it) */
  tombstoneRetentionMs?: number;
  logger?: Logger;
  metrics?: Metrics;
}

/** A compaction failed: thrown so that Lambda's Errors metric shows it; the next run finishes what it began. */
export class CompactionFailedError extends Error {
  constructor(readonly routes: string[]) {
    super(`the lake compaction of ${routes.join(', ')} failed; the next run resumes it`);
    this.name = 'CompactionFailedError';
  }
}

// Kept back from the invocation's end: the compaction is aborted then, so it stops between two
// requests and says so, instead of Lambda stopping it mid-request. Its manifest makes the next
// run finish it either way.
const SAFETY_MARGIN_MS = 10_000;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The report's counts as metrics, one per field. */
const METRIC_OF: Readonly<Record<keyof CompactionReport, { name: string; unit: Unit }>> = {
  filesWritten: { name: 'LakeFilesWritten', unit: MetricUnit.Count },
  eventsWritten: { name: 'LakeEventsWritten', unit: MetricUnit.Count },
  stagedConsumed: { name: 'LakeStagedConsumed', unit: MetricUnit.Count },
  duplicatesDropped: { name: 'LakeDuplicatesDropped', unit: MetricUnit.Count },
  manifestsResumed: { name: 'LakeManifestsResumed', unit: MetricUnit.Count },
  tombstonesExpired: { name: 'LakeTombstonesExpired', unit: MetricUnit.Count },
  bytesWritten: { name: 'LakeBytesWritten', unit: MetricUnit.Bytes },
};

/**
 * The Security Lake compactor, started by EventBridge Scheduler every
 * SECURITY_LAKE_FILE_INTERVAL_MINUTES with reserved concurrency 1 (one run at a time): the
 * forwarder's staged events become one Parquet file per source, day and size limit in the lake
 * (lib/sinks/security-lake/lake-compactor.ts). Each run logs its report and writes its non-zero
 * counts as metrics (the operator dashboard's Security Lake row).
 */
export function createLakeCompactorHandler(deps: LakeCompactorHandlerDeps) {
  const logger = deps.logger ?? new Logger({ serviceName: 'mpas-log-sync-lake-compactor' });
  const metrics = deps.metrics ?? serviceMetrics('mpas-log-sync-lake-compactor', logger);
  const build = deps.compactions ?? lakeCompactionsFromConfig;
  let tenantDimension: string | undefined;

  const compact = async (_event: unknown, context: Context): Promise<Record<string, CompactionReport>> => {
    const { config } = await deps.load();
    if (tenantDimension !== config.tenant) {
      metrics.setDefaultDimensions({ tenant: config.tenant });
      tenantDimension = config.tenant;
    }
    logger.appendKeys({ tenant: config.tenant });
    const remainingMs = context.getRemainingTimeInMillis();
    const signal = AbortSignal.timeout(Math.max(1, remainingMs - Math.min(SAFETY_MARGIN_MS, remainingMs / 5)));
    // Built per invocation: a run every few minutes gains nothing from warm clients.
    const compactions = await build(config, deps.tombstoneRetentionMs === undefined ? {} : { tombstoneRetentionMs: deps.tombstoneRetentionMs });
    if (compactions.length === 0) logger.warn('no security-lake destination in the configuration: nothing to compact');
    const reports: Record<string, CompactionReport> = {};
    const failed: string[] = [];
    try {
      for (const compaction of compactions) {
        try {
          const report = await compaction.compact(signal);
          reports[compaction.route] = report;
          // Only what says something, as the other functions: a custom metric is billed for every hour it is written, and most runs find little.
          for (const [field, { name, unit }] of Object.entries(METRIC_OF) as Array<[keyof CompactionReport, { name: string; unit: Unit }]>) {
            if (report[field] > 0) metrics.addMetric(name, unit, report[field]);
          }
          logger.info('security lake compaction', { route: compaction.route, staging: compaction.staging, ...report });
        } catch (error) {
          failed.push(compaction.route);
          metrics.addMetric('LakeCompactionFailures', MetricUnit.Count, 1);
          logger.error('security lake compaction failed: the next run resumes it', {
            route: compaction.route,
            staging: compaction.staging,
            error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
          });
        }
      }
    } finally {
      for (const compaction of compactions) compaction.close();
    }
    if (failed.length > 0) throw new CompactionFailedError(failed);
    return reports;
  };

  return middy(compact).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** The deployed compactor: configuration from the environment (a lake needs no secret). */
export const handler = createLakeCompactorHandler({
  load: () => loadLambdaConfig({ secrets: secretsManagerProvider, role: 'forwarder' }),
});
