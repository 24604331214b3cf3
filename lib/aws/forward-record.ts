import { forwardBatch } from '../forwarder/forward-batch.js';
import type { ForwarderStages } from '../forwarder/forward-batch.js';
import type { EventBatch } from '../queue/event-batch.js';
import { messageBody } from '../queue/message-body.js';
import { parseBatchMessage } from '../queue/parse-batch-message.js';
import { NothingDeliveredError } from './forwarder-errors.js';
import type { ForwarderQueuePorts } from './sqs-forwarder-ports.js';
import { MAX_DELAY_SECONDS, backoffSeconds } from './visibility-backoff.js';

/** One received queue message, in the terms the forwarder needs (no Lambda types). */
export interface QueueRecord {
  messageId: string;
  body: string;
  receiptHandle: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
}

/** What a batch's first successful processing did; stored by the idempotency record. */
export interface BatchSummary {
  batchId: string;
  delivered: number;
  filtered: number;
  deadLettered: number;
  /** Events sent back to the queue as a new batch, after a partial delivery. */
  requeued: number;
}

/**
 * Runs `work` at most once per batch id. `in-progress`: another invocation holds the batch now.
 * When `work` throws, nothing is remembered, so the next delivery runs it again.
 */
export type OncePerBatch = (batch: EventBatch, work: () => Promise<BatchSummary>) => Promise<
  { status: 'done'; summary: BatchSummary } | { status: 'in-progress' }
>;

/** What {@link forwardRecord} works with. */
export interface ForwardRecordDeps {
  stages: ForwarderStages;
  queues: ForwarderQueuePorts;
  oncePerBatch: OncePerBatch;
  backoff: { baseSeconds: number; maxSeconds: number };
  /** Uniform in [0, 1), for the jitter. */
  random: () => number;
}

/** How a record ended: `done` is acknowledged (deleted); `retry` stays, visible again after `visibilitySeconds`. */
export type RecordOutcome =
  | { status: 'done'; summary?: BatchSummary; invalid?: string }
  | { status: 'retry'; reason: 'nothing-delivered' | 'in-progress' | 'auth-failure'; visibilitySeconds: number };

/**
 * Forwards one queue message (DESIGN.md, "Forwarder"): an invalid body goes to the DLQ at once
 * and is acknowledged; a batch is forwarded once per batch id; its dead letters go to the DLQ,
 * one message each; what the SIEM did not take is retried without sending anything twice:
 * - nothing delivered (and nothing dead-lettered): the message itself waits (its visibility set
 *   to the backoff) and its next delivery starts over;
 * - some delivered: the undelivered rest becomes a new message with its own batch id, delayed by
 *   the backoff, and this message is done.
 * Errors of SQS or the idempotency store are thrown: the record fails and comes back after the
 * queue's visibility timeout.
 */
export async function forwardRecord(record: QueueRecord, deps: ForwardRecordDeps, signal?: AbortSignal): Promise<RecordOutcome> {
  const parsed = parseBatchMessage(record.body);
  if (!parsed.ok) {
    await deps.queues.deadLetter({
      body: record.body,
      reason: 'invalid-message',
      detail: parsed.reason,
      sourceMessageId: record.messageId,
      batchId: batchIdOf(record.body),
    });
    deps.stages.observer?.deadLettered?.('invalid-message', 1);
    return { status: 'done', invalid: parsed.reason };
  }
  const batch = parsed.batch;
  const wait = (retryAfterMs: number | undefined, limitSeconds?: number): number =>
    backoffSeconds({ receiveCount: record.receiveCount, ...deps.backoff, retryAfterMs, limitSeconds, random: deps.random });

  try {
    const once = await deps.oncePerBatch(batch, () => forwardOnce(batch, record, deps, wait, signal));
    if (once.status === 'done') return { status: 'done', summary: once.summary };
    const visibilitySeconds = wait(undefined);
    await deps.queues.retryLater(record.receiptHandle, visibilitySeconds);
    return { status: 'retry', reason: 'in-progress', visibilitySeconds };
  } catch (error) {
    if (!(error instanceof NothingDeliveredError)) throw error;
    const visibilitySeconds = wait(error.retryAfterMs);
    await deps.queues.retryLater(record.receiptHandle, visibilitySeconds);
    return { status: 'retry', reason: error.authFailure ? 'auth-failure' : 'nothing-delivered', visibilitySeconds };
  }
}

async function forwardOnce(
  batch: EventBatch,
  record: QueueRecord,
  deps: ForwardRecordDeps,
  wait: (retryAfterMs: number | undefined, limitSeconds?: number) => number,
  signal: AbortSignal | undefined,
): Promise<BatchSummary> {
  const result = await forwardBatch(batch, deps.stages, signal);
  const { retry } = result;
  if (retry && result.delivered === 0 && result.deadLetters.length === 0) {
    throw new NothingDeliveredError(batch.batchId, retry.retryAfterMs, retry.authFailure);
  }
  for (const deadLetter of result.deadLetters) {
    await deps.queues.deadLetter({
      body: messageBody({ ...batch, events: deadLetter.events }),
      reason: deadLetter.reason,
      detail: deadLetter.detail,
      sourceMessageId: record.messageId,
      batchId: batch.batchId,
    });
  }
  // Delivered events must not go out again, so the rest travels alone, with its own batch id.
  if (retry) await deps.queues.requeue(retry.batch, wait(retry.retryAfterMs, MAX_DELAY_SECONDS));
  return {
    batchId: batch.batchId,
    delivered: result.delivered,
    filtered: result.filtered,
    deadLettered: result.deadLetters.reduce((sum, { events }) => sum + events.length, 0),
    requeued: retry?.batch.events.length ?? 0,
  };
}

/** The batch id of a body that is JSON but not a valid batch, for the dead letter's attributes. */
function batchIdOf(body: string): string | undefined {
  try {
    const json: unknown = JSON.parse(body);
    const id = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['batchId'] : undefined;
    return typeof id === 'string' && id !== '' ? id.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
