import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import type { BatchSummary, OncePerBatch } from './forward-record.js';

/** Options of {@link idempotentBatches}. */
export interface IdempotentBatchesOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a processed batch id is remembered: at least the queue's retention. */
  ttlSeconds: number;
  /** Keeps tenants apart should two share a table. */
  tenant: string;
}

/** The part of the Lambda context the in-progress expiry needs (kept free of Lambda's types). */
export interface InvocationTime {
  getRemainingTimeInMillis(): number;
}

/** {@link OncePerBatch} with the Lambda context registered, so an in-progress record expires with it. */
export interface IdempotentBatches {
  oncePerBatch: OncePerBatch;
  /** Call at the start of each invocation (a crashed invocation's record then expires when it would have timed out). */
  registerLambdaContext(context: InvocationTime): void;
}

/**
 * The record's key: the batch id and the route, so each destination delivers a batch once on its
 * own. The route `default` (or none) is the batch id alone, the key of single-SIEM releases, so a
 * deploy that adds routes does not forward the batches in flight again to the first SIEM.
 */
export function idempotencyKeyOf(batch: Pick<EventBatch, 'batchId' | 'route'>): string {
  return batch.route === undefined || batch.route === DEFAULT_ROUTE_NAME ? batch.batchId : `${batch.batchId}#${batch.route}`;
}

/**
 * Once-per-batch-id-and-route processing with Powertools Idempotency on DynamoDB (the layout of
 * `idempotencyTable`): the key is the batch id and route ({@link idempotencyKeyOf}), so a page enqueued twice (a poller crash
 * between enqueue and commit) is forwarded once. A failed run leaves no record behind;
 * a run in progress elsewhere is reported as `in-progress`.
 */
export function idempotentBatches(options: IdempotentBatchesOptions): IdempotentBatches {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'batchId', expiresAfterSeconds: options.ttlSeconds });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const run = makeIdempotent(
    async (_batch: { batchId: string }, work: () => Promise<BatchSummary>): Promise<BatchSummary> => work(),
    { persistenceStore, config, keyPrefix: `mpas-log-sync#${options.tenant}`, dataIndexArgument: 0 },
  );
  return {
    // Powertools reads only getRemainingTimeInMillis from the context.
    registerLambdaContext: (context) => config.registerLambdaContext(context as Parameters<IdempotencyConfig['registerLambdaContext']>[0]),
    oncePerBatch: async (batch: EventBatch, work) => {
      try {
        // Only the id (and route) is hashed: the same id with other contents cannot happen (the id is a hash of the keys).
        return { status: 'done', summary: await run({ batchId: idempotencyKeyOf(batch) }, work) };
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) return { status: 'in-progress' };
        throw error;
      }
    },
  };
}
