import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ExpirationCache, reportCursorExpiry } from '../lib/aws/cursor-expiry.js';
import { PollMetrics } from '../lib/aws/poll-metrics.js';
import { serviceMetrics } from '../lib/aws/service-metrics.js';
import { runPollerInvocation } from '../lib/aws/poller-invocation.js';
import { pollerScheduleOf } from '../lib/aws/poller-schedule.js';
import type { InvocationOutcome } from '../lib/aws/read-while-events-flow.js';
import { s3ClientOnDemand } from '../lib/aws/s3-client-on-demand.js';
import { LARGE_PAYLOAD_PREFIX, S3PayloadStore } from '../lib/aws/s3-payload-store.js';
import { secretsManagerProvider } from '../lib/aws/secrets-manager-provider.js';
import { loadPollerLambdaConfig } from '../lib/config/poller-lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import type { PollerConfig } from '../lib/config/poller-config-schema.js';
import { requireSetting } from '../lib/config/lambda-settings.js';
import { DynamoDbCursorStore } from '../lib/stores/cursor/dynamodb-cursor-store.js';
import { CursorMissingError } from '../lib/core/cursor/errors.js';
import { DynamoDbDeliveryRecords } from '../lib/stores/delivery-records/dynamodb-delivery-records.js';
import { mpasClientFromConfig } from '../lib/runtime/mpas-client-from-config.js';
import { SqsEventQueue } from '../lib/stores/queue/sqs-event-queue.js';
import { systemClock } from '../lib/core/time/clock.js';
import type { Clock } from '../lib/core/time/clock.js';
import type { Sleep } from '../lib/core/time/sleep.js';
import { rebuildOnChange } from '../lib/aws/rebuild-on-change.js';

/** What the poller handler is built from; the Lambda uses the defaults, tests pass emulators. */
export interface PollerHandlerDeps {
  /** Loads the configuration on every invocation (secrets are cached by the provider). */
  load: () => Promise<LambdaConfig<PollerConfig>>;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** For events too large for a message (LARGE_PAYLOAD_BUCKET). @default new S3Client({}) */
  s3?: S3Client;
  clock?: Clock;
  /** The pause between two reads of one invocation. @default realSleep */
  sleep?: Sleep;
  logger?: Logger;
  metrics?: Metrics;
}

/** The poll failed for some stream (MPAS down, 403): thrown so Lambda's Errors metric shows it. */
export class PollFailedError extends Error {
  constructor(readonly failedStreams: string[]) {
    super(`the poll could not read ${failedStreams.length} stream(s): ${failedStreams.join(', ')}`);
    this.name = 'PollFailedError';
  }
}

/**
 * The poller Lambda for the EventBridge Scheduler event: reads the tenant, and again every
 * POLL_INTERVAL_MS while events flow, until the next scheduled invocation (lib/aws/poller-invocation.ts).
 */
export function createPollerHandler(deps: PollerHandlerDeps) {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? new Logger({ serviceName: 'mpas-log-sync-poller' });
  const metrics = deps.metrics ?? serviceMetrics('mpas-log-sync-poller', logger);
  // Clients keep their token and connections across warm invocations, until the config changes.
  let tenantDimension: string | undefined;
  // Made at the first large payload, so that a cold start does not import the S3 module.
  const s3 = s3ClientOnDemand(deps.s3);
  const wiring = rebuildOnChange(({ config, settings }: LambdaConfig<PollerConfig>) => {
    const source = mpasClientFromConfig(config, { clock });
    // An event over the message limit travels through the payload bucket instead of stopping its stream.
    const largePayloads = settings.largePayloadBucket === undefined
      ? undefined
      : { store: new S3PayloadStore(s3, settings.largePayloadBucket, settings.largePayloadKmsKey), keyPrefix: LARGE_PAYLOAD_PREFIX };
    return {
      store: new DynamoDbCursorStore({ client: deps.dynamodb, tableName: requireSetting(settings, 'cursorTableName'), tenant: config.tenant }),
      records: new DynamoDbDeliveryRecords({ client: deps.dynamodb, tableName: requireSetting(settings, 'cursorTableName'), tenant: config.tenant }),
      queue: new SqsEventQueue({ client: deps.sqs, queueUrl: requireSetting(settings, 'queueUrl'), maxMessageBytes: config.polling.queueMaxMessageBytes, largePayloads }),
      source,
      expirations: new ExpirationCache(source, clock),
    };
  });

  const poll = async (event: unknown, context: Context): Promise<InvocationOutcome> => {
    const schedule = pollerScheduleOf(event);
    const loaded = await deps.load();
    const { config, settings } = loaded;
    const { store, records, queue, source, expirations } = wiring(loaded);
    // Set once per container: setting it again on every invocation only draws warnings.
    if (tenantDimension !== config.tenant) {
      metrics.setDefaultDimensions({ tenant: config.tenant });
      tenantDimension = config.tenant;
    }
    logger.appendKeys({ tenant: config.tenant });
    const observer = new PollMetrics(metrics, logger, clock);
    const outcome = await runPollerInvocation(
      { config, store, records, queue, source: observer.countingPages(source), clock, owner: context.awsRequestId, observer, ...(deps.sleep ? { sleep: deps.sleep } : {}) },
      { remainingTimeMs: context.getRemainingTimeInMillis(), budgetShare: settings.pollBudgetShare, ...(schedule ? { schedule } : {}) },
    ).catch((error: unknown) => {
      // Thrown on, so the poller-errors alarm fires; the line says what to do.
      if (error instanceof CursorMissingError) logger.error('the cursor is missing but the tenant ran before: not starting again from mpas.startFrom', { error: error.message });
      throw error;
    });
    observer.publish(outcome);
    // Only a metric: a failure to read the cursor or the expiration must never fail the poll.
    await reportCursorExpiry(outcome, {
      store, expirations, realms: config.mpas.realms, streams: config.mpas.streams, clock,
      emit: (realm, stream, percent) => observer.cursorExpiry(realm, stream, percent),
      warn: (message, fields) => logger.warn(message, fields),
      signal: AbortSignal.timeout(Math.max(1, Math.min(5_000, context.getRemainingTimeInMillis() - 2_000))),
    }).catch((error: unknown) => logger.warn('cursor expiry not measured', { error: error instanceof Error ? error.message : String(error) }));
    if ('failures' in outcome && outcome.failures.length > 0) {
      throw new PollFailedError(outcome.failures.map(({ realm, stream }) => `${realm}#${stream}`));
    }
    return outcome;
  };

  return middy(poll).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** The deployed poller: configuration from the environment and Secrets Manager. */
export const handler = createPollerHandler({
  load: () => loadPollerLambdaConfig({ secrets: secretsManagerProvider }),
  dynamodb: new DynamoDBClient({}),
  sqs: new SQSClient({}),
});
