import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { serviceMetrics } from '../lib/aws/service-metrics.js';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { S3Archive } from '../lib/archive/s3-archive.js';
import { verifyDay } from '../lib/aws/daily-verification.js';
import type { DailyVerificationResult } from '../lib/aws/daily-verification.js';
import { emitMetric } from '../lib/aws/emit-metric.js';
import { secretsManagerProvider } from '../lib/aws/secrets-manager-provider.js';
import { loadLambdaConfig } from '../lib/config/lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import type { PollerConfig } from '../lib/config/app-config-schema.js';
import { requireSetting } from '../lib/config/lambda-settings.js';
import { DynamoDbCursorStore } from '../lib/stores/cursor/dynamodb-cursor-store.js';
import { mpasClientFromConfig } from '../lib/runtime/mpas-client-from-config.js';
import { systemClock } from '../lib/core/time/clock.js';
import type { Clock } from '../lib/core/time/clock.js';

/** What the verifier handler is built from; the Lambda uses the defaults, tests pass emulators. */
export interface VerifierHandlerDeps {
  load: () => Promise<LambdaConfig<PollerConfig>>;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
}

/** The schedule sends `{}`; an operator may ask for a given day: `{"day": "2026-11-20"}`. */
const verifierEventSchema = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'day must be a date such as 2026-11-20' }).optional() }).loose();

// What the log may list of the missing events; the metric has the count, verify --json the rest.
const LOGGED = 100;

/**
 * The daily verification Lambda: verifies the day before (UTC) against the S3 archive and writes
 * `MissingEvents`, `VerifiedEvents` and `ExtraEvents` (lib/aws/daily-verification.ts); the
 * missing events are logged with key, time and type. It reads MPAS, the cursor table and the
 * archive bucket, and writes nothing but logs and metrics.
 */
export function createVerifierHandler(deps: VerifierHandlerDeps) {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? new Logger({ serviceName: 'mpas-log-sync-verifier' });
  const metrics = deps.metrics ?? serviceMetrics('mpas-log-sync-verifier', logger);

  const verify = async (event: unknown, context: Context): Promise<DailyVerificationResult['status']> => {
    const parsed = verifierEventSchema.safeParse(event ?? {});
    if (!parsed.success) throw new Error(`the verifier's event: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    const { config, settings } = await deps.load();
    metrics.setDefaultDimensions({ tenant: config.tenant });
    logger.appendKeys({ tenant: config.tenant });
    const archive = new S3Archive(deps.s3, { bucket: requireSetting(settings, 'archiveBucket'), prefix: settings.archivePrefix ?? 'audit-events/' });
    const result = await verifyDay({
      source: mpasClientFromConfig(config, { clock }),
      archive,
      cursor: new DynamoDbCursorStore({ client: deps.dynamodb, tableName: requireSetting(settings, 'cursorTableName'), tenant: config.tenant }),
      realms: config.mpas.realms,
      streams: config.mpas.streams,
      pageSize: config.mpas.pageSize,
      clock,
      ...(parsed.data.day !== undefined ? { day: parsed.data.day } : {}),
      emit: (metric, realm, stream, value) => emitMetric(metrics, { realm, stream }, metric, MetricUnit.Count, value),
      // Leave a few seconds to log and flush the metrics; an unfinished day writes none.
      signal: AbortSignal.timeout(Math.max(1, context.getRemainingTimeInMillis() - 5_000)),
    });
    // One metric of the invocation's own, so every run leaves a trace (and Powertools has something to flush).
    metrics.addMetric(result.status === 'verified' ? 'DaysVerified' : 'DaysNotYetVerifiable', MetricUnit.Count, 1);
    if (result.status === 'not-yet') {
      logger.warn('day not verified: the live cursor has not read to its end yet', { day: result.day, behind: result.behind });
      return result.status;
    }
    const { report } = result;
    const fields = { day: result.day, totals: report.totals, duplicatesCounted: report.duplicatesCounted };
    if (report.missing.length > 0) {
      logger.error('events missing from the archive', { ...fields, missing: report.missing.slice(0, LOGGED), listed: Math.min(LOGGED, report.missing.length) });
    } else {
      logger.info('day verified: every event MPAS holds is in the archive', fields);
    }
    return result.status;
  };

  return middy(verify).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** The deployed verifier: configuration from the environment and Secrets Manager (MPAS only). */
export const handler = createVerifierHandler({
  load: () => loadLambdaConfig({ secrets: secretsManagerProvider, role: 'poller' }),
  dynamodb: new DynamoDBClient({}),
  s3: new S3Client({}),
});
