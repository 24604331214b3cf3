import { setMaxListeners } from 'node:events';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { archiveFromConfig } from '../lib/runtime/archive-from-config.js';
import { ArchiveMetrics } from '../lib/aws/archive-metrics.js';
import { ForwardMetrics } from '../lib/aws/forward-metrics.js';
import { serviceMetrics } from '../lib/aws/service-metrics.js';
import { forwardClaimChecked } from '../lib/aws/claim-checked-record.js';
import type { QueueRecord, RecordOutcome } from '../lib/aws/forward-record.js';
import { idempotentBatches } from '../lib/aws/idempotent-batches.js';
import { rebuildOnChange } from '../lib/aws/rebuild-on-change.js';
import { s3ClientOnDemand } from '../lib/aws/s3-client-on-demand.js';
import { LARGE_PAYLOAD_PREFIX, S3PayloadStore } from '../lib/aws/s3-payload-store.js';
import { secretsManagerProvider } from '../lib/aws/secrets-manager-provider.js';
import { SqsForwarderPorts } from '../lib/aws/sqs-forwarder-ports.js';
import { MAX_VISIBILITY_SECONDS } from '../lib/aws/visibility-backoff.js';
import { archiveConfigSchema } from '../lib/config/archive-config-schema.js';
import { loadLambdaConfig } from '../lib/config/lambda-config.js';
import type { LambdaConfig } from '../lib/config/lambda-config.js';
import type { ForwarderConfig } from '../lib/config/app-config-schema.js';
import { requireSetting } from '../lib/config/lambda-settings.js';
import { routesFromConfig } from '../lib/runtime/routes-from-config.js';
import type { MessageAttributes } from '../lib/core/queue/claim-check.js';
import type { Sink } from '../lib/sinks/sink.js';
import { systemClock } from '../lib/core/time/clock.js';
import type { Clock } from '../lib/core/time/clock.js';
import { VERSION } from '../lib/version.js';

/** What the forwarder handler is built from; the Lambda uses the defaults, tests pass emulators. */
export interface ForwarderHandlerDeps {
  /** Loads the configuration on every invocation (secrets are cached by the provider). */
  load: () => Promise<LambdaConfig<ForwarderConfig>>;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** For the event archive and the large payloads (LARGE_PAYLOAD_BUCKET). @default new S3Client({}) */
  s3?: S3Client;
  clock?: Clock;
  /** Uniform in [0, 1), for the backoff's jitter. @default Math.random */
  random?: () => number;
  logger?: Logger;
  metrics?: Metrics;
  /** A sink instead of the configured one (of the route `default`). */
  sink?: Sink;
  /** Sinks instead of the configured ones, by route name. */
  sinks?: Readonly<Record<string, Sink>>;
}

/** A record left on the queue for a later try; its visibility was already set. */
class RecordRetryError extends Error {
  constructor(readonly outcome: Extract<RecordOutcome, { status: 'retry' }>) {
    super(`record retried in ${outcome.visibilitySeconds} s: ${outcome.reason}`);
    this.name = 'RecordRetryError';
  }
}

// Time kept back from the invocation's end: the sink is aborted then, so the failed records are
// reported before Lambda stops the process (which would fail the whole batch).
const SAFETY_MARGIN_MS = 5_000;
// SQS counts a message's 12 hours of visibility from its receive, which the event source made
// before the invocation: up to its largest batching window (300 s) before, plus a minute of slack.
const RECEIVED_BEFORE_INVOCATION_SECONDS = 360;

/** The forwarder Lambda for the SQS event source, with partial batch responses. */
export function createForwarderHandler(deps: ForwarderHandlerDeps) {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? new Logger({ serviceName: 'mpas-log-sync-forwarder' });
  const metrics = deps.metrics ?? serviceMetrics('mpas-log-sync-forwarder', logger);
  let tenantDimension: string | undefined;
  // Made at the first large payload, so that a cold start does not import the S3 module.
  const s3 = s3ClientOnDemand(deps.s3);
  const wiring = rebuildOnChange(({ config, settings }: LambdaConfig<ForwarderConfig>) => {
    const payloads = settings.largePayloadBucket === undefined
      ? undefined
      : new S3PayloadStore(s3, settings.largePayloadBucket, settings.largePayloadKmsKey);
    return {
      routes: routesFromConfig(config, {
        version: VERSION,
        observer: new ForwardMetrics(metrics, logger, clock),
        sinks: deps.sink ? { default: deps.sink, ...deps.sinks } : deps.sinks,
      }),
      payloads,
      queues: new SqsForwarderPorts({
        client: deps.sqs,
        queueUrl: requireSetting(settings, 'queueUrl'),
        deadLetterQueueUrl: requireSetting(settings, 'deadLetterQueueUrl'),
        ...(payloads === undefined ? {} : { largePayloads: { store: payloads, keyPrefix: LARGE_PAYLOAD_PREFIX } }),
      }),
      // The stack names the bucket (ARCHIVE_BUCKET) when the tenant has an archive; its lifecycle
      // rule expires records, and the function may only put objects.
      archive: settings.archiveBucket === undefined
        ? undefined
        : archiveFromConfig(
            { ...config, archive: archiveConfigSchema.parse({ ...config.archive, enabled: true, s3: { bucket: settings.archiveBucket, prefix: settings.archivePrefix } }) },
            { stateDir: '/tmp', clock, observer: new ArchiveMetrics(metrics, logger), s3: deps.s3, retention: false },
          ),
      batches: idempotentBatches({
        client: deps.dynamodb,
        tableName: requireSetting(settings, 'idempotencyTableName'),
        ttlSeconds: settings.idempotencyTtlSeconds,
        tenant: config.tenant,
      }),
    };
  });

  const forwardAll = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const loaded = await deps.load();
    const { routes, queues, batches, archive, payloads } = wiring(loaded);
    const startedAt = clock.now();
    const backoff = { baseSeconds: loaded.settings.retryBaseSeconds, maxSeconds: loaded.settings.retryMaxSeconds };
    // Set once per container: setting it again on every invocation only draws warnings.
    if (tenantDimension !== loaded.config.tenant) {
      metrics.setDefaultDimensions({ tenant: loaded.config.tenant });
      tenantDimension = loaded.config.tenant;
    }
    logger.appendKeys({ tenant: loaded.config.tenant });
    batches.registerLambdaContext(context);
    const remainingMs = context.getRemainingTimeInMillis();
    const deadline = new AbortController();
    // Every record's request groups back off on this signal at once: many listeners are expected.
    setMaxListeners(0, deadline.signal);
    const timer = setTimeout(() => deadline.abort(), Math.max(0, remainingMs - Math.min(SAFETY_MARGIN_MS, remainingMs / 5)));
    const tally = { done: 0, invalid: 0, retried: 0, failed: 0, sentBack: 0 };
    const warn = (message: string, fields: Record<string, unknown>): void => logger.warn(message, fields);

    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const attributes = messageAttributesOf(record);
      if (deadline.signal.aborted) {
        // Never tried, so it must not cost one of the message's maxReceiveCount receives (the
        // retry window counts only tries): it goes back as a new message with the same body and
        // attributes (a pointer keeps its object), and the original is reported done. Returned
        // as a batch item failure instead, it would wait out the visibility timeout and draw
        // nearer the DLQ at every invocation that ran out of time before reaching it. If the
        // send fails, the record fails as before: one receive spent, nothing lost.
        await queues.sendBack({ body: record.body, attributes });
        tally.sentBack += 1;
        return;
      }
      const queueRecord: QueueRecord = {
        messageId: record.messageId,
        body: record.body,
        receiptHandle: record.receiptHandle,
        receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        attributes,
      };
      const visibilityLimitSeconds = MAX_VISIBILITY_SECONDS - RECEIVED_BEFORE_INVOCATION_SECONDS - Math.ceil((clock.now() - startedAt) / 1000);
      try {
        const outcome = await forwardClaimChecked(
          queueRecord,
          { routes, queues, oncePerBatch: batches.oncePerBatch, backoff, random, archive, payloads, warn, visibilityLimitSeconds },
          deadline.signal,
        );
        if (outcome.status === 'retry') throw new RecordRetryError(outcome);
        tally[outcome.invalid === undefined ? 'done' : 'invalid'] += 1;
      } catch (error) {
        if (error instanceof RecordRetryError) {
          tally.retried += 1;
          logger.info('record left for a later try', { messageId: record.messageId, ...error.outcome });
        } else {
          tally.failed += 1;
          logger.error('record failed', { messageId: record.messageId, error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
        }
        throw error;
      }
    };

    try {
      return await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
        context,
        // One record at a time: each already uses the sink's whole concurrency.
        processInParallel: false,
        // Every record reports its own failure; the ones retried have their visibility set already.
        throwOnFullBatchFailure: false,
      });
    } finally {
      clearTimeout(timer);
      // The container may freeze once the handler returns: the archive gets what is left of the
      // time (deliveries are done by now), and what it cannot write in it waits for the next invocation.
      await archive?.flush(Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS));
      logger.info('forwarder invocation finished', { records: event.Records.length, ...tally });
    }
  };

  return middy(forwardAll).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** A record's message attributes in the SDK's shape (what SendMessage takes back). */
function messageAttributesOf(record: SQSRecord): MessageAttributes {
  const attributes: MessageAttributes = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
  }
  return attributes;
}

/** The deployed forwarder: configuration from the environment and Secrets Manager. */
export const handler = createForwarderHandler({
  load: () => loadLambdaConfig({ secrets: secretsManagerProvider, role: 'forwarder' }),
  dynamodb: new DynamoDBClient({}),
  sqs: new SQSClient({}),
});
