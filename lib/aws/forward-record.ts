import { forwardBatch } from '../core/forwarder/forward-batch.js';
import type { DeadLetter, ForwarderStages } from '../core/forwarder/forward-batch.js';
import type { Route } from '../runtime/routes-from-config.js';
import { routeDeadLetters } from '../runtime/route-dead-letters.js';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { MessageAttributes } from '../core/queue/claim-check.js';
import { redactionForRedrive } from '../core/pipeline/redaction-at-rest.js';
import { batchIdFor } from '../core/queue/event-batch.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import { messageBody } from '../core/queue/message-body.js';
import { parseBatchMessage } from '../core/queue/parse-batch-message.js';
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
  /** The message attributes (batch id, realm, stream; a pointer's `ExtendedPayloadSize`). */
  attributes?: MessageAttributes;
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
 * Runs `work` at most once per batch id and route (`batch.route`; the route `default`, the
 * only one of a single-SIEM configuration, is keyed by the batch id alone). `in-progress`: another invocation holds the batch now.
 * When `work` throws, nothing is remembered, so the next delivery runs it again.
 */
export type OncePerBatch = (batch: EventBatch, work: () => Promise<BatchSummary>) => Promise<
  { status: 'done'; summary: BatchSummary } | { status: 'in-progress' }
>;

/** What {@link forwardRecord} works with. */
export interface ForwardRecordDeps {
  /** The destinations; every batch goes to each, or to its `route` alone. */
  routes: readonly Route[];
  queues: ForwarderQueuePorts;
  oncePerBatch: OncePerBatch;
  backoff: { baseSeconds: number; maxSeconds: number };
  /** Uniform in [0, 1), for the jitter. */
  random: () => number;
  /**
   * The longest visibility SQS still accepts for this receive: 12 hours count from the receive,
   * not from the change. @default MAX_VISIBILITY_SECONDS
   */
  visibilityLimitSeconds?: number;
  /** Takes every batch the first time it arrives (not its retried remainders), for the event archive. */
  archive?: { offer(batch: EventBatch): void };
}

/** The one-destination form of {@link ForwardRecordDeps}: `stages` is the route `default`. */
export function singleRoute(stages: ForwarderStages): Route[] {
  return [{ name: DEFAULT_ROUTE_NAME, stages }];
}

/** How a record ended: `done` is acknowledged (deleted); `retry` stays, visible again after `visibilitySeconds`. */
export type RecordOutcome =
  | { status: 'done'; summary?: BatchSummary; invalid?: string }
  | { status: 'retry'; reason: 'nothing-delivered' | 'in-progress' | 'auth-failure'; visibilitySeconds: number };

type Wait = (retryAfterMs: number | undefined, limitSeconds?: number) => number;

/**
 * Forwards one queue message (docs/design.md, "Architecture"): an invalid body goes to the DLQ at once
 * and is acknowledged; a batch is forwarded once per batch id and route; its dead letters go to
 * the DLQ, one message each; what a SIEM did not take is retried without sending anything twice:
 * - nothing delivered (and nothing dead-lettered) to the batch's only route: the message itself
 *   waits (its visibility set to the backoff) and its next delivery starts over;
 * - some delivered: the undelivered rest becomes a new message with its own batch id and its
 *   `route`, delayed by the backoff, and this message is done;
 * - with several routes, each is forwarded on its own: a route that took nothing gets the batch
 *   as a new message for it alone (same batch id, its `route` set), so a failing SIEM never holds
 *   back the others nor makes them deliver twice.
 * Errors of SQS or the idempotency store are thrown: the record fails and comes back after the
 * queue's visibility timeout (the routes already done are then skipped by their records).
 */
export async function forwardRecord(record: QueueRecord, deps: ForwardRecordDeps, signal?: AbortSignal): Promise<RecordOutcome> {
  const parsed = parseBatchMessage(record.body);
  if (!parsed.ok) return deadLetterMessage(record, deps, parsed.reason);
  const batch = parsed.batch;
  const wait: Wait = (retryAfterMs, limitSeconds) =>
    backoffSeconds({ receiveCount: record.receiveCount, ...deps.backoff, retryAfterMs, limitSeconds: limitSeconds ?? deps.visibilityLimitSeconds, random: deps.random });
  if (batch.route === undefined) deps.archive?.offer(batch);
  const targets = batch.route === undefined ? deps.routes : deps.routes.filter(({ name }) => name === batch.route);
  if (targets.length === 0) return deadLetterMessage(record, deps, `route: "${batch.route}" is not configured`);
  if (targets.length === 1) return forwardAlone(batch, targets[0]!, record, deps, wait, signal);

  const outcomes = await Promise.allSettled(
    targets.map(async (route, index) => {
      try {
        const once = await deps.oncePerBatch({ ...batch, route: route.name }, () =>
          forwardOnce(batch, route, index === 0, record, deps, wait, signal),
        );
        return once.status === 'done' ? once.summary : 'in-progress';
      } catch (error) {
        if (!(error instanceof NothingDeliveredError)) throw error;
        // This route alone waits: the batch goes back for it, under the same id and so the same record.
        await deps.queues.requeue({ ...batch, route: route.name }, wait(error.retryAfterMs, MAX_DELAY_SECONDS));
        return { batchId: batch.batchId, delivered: 0, filtered: 0, deadLettered: 0, requeued: batch.events.length };
      }
    }),
  );
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const summaries = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<BatchSummary | 'in-progress'>).value);
  if (summaries.includes('in-progress')) {
    const visibilitySeconds = wait(undefined);
    await deps.queues.retryLater(record.receiptHandle, visibilitySeconds);
    return { status: 'retry', reason: 'in-progress', visibilitySeconds };
  }
  const summary: BatchSummary = { batchId: batch.batchId, delivered: 0, filtered: 0, deadLettered: 0, requeued: 0 };
  for (const each of summaries as BatchSummary[]) {
    summary.delivered += each.delivered;
    summary.filtered += each.filtered;
    summary.deadLettered += each.deadLettered;
    summary.requeued += each.requeued;
  }
  return { status: 'done', summary };
}

async function deadLetterMessage(record: QueueRecord, deps: ForwardRecordDeps, reason: string): Promise<RecordOutcome> {
  await deps.queues.deadLetter({
    body: record.body,
    reason: 'invalid-message',
    detail: reason,
    sourceMessageId: record.messageId,
    batchId: batchIdOf(record.body),
  });
  deps.routes[0]?.stages.observer?.deadLettered?.('invalid-message', 1);
  return { status: 'done', invalid: reason };
}

/** The batch's only route: the message itself waits while that SIEM takes nothing. */
async function forwardAlone(
  batch: EventBatch,
  route: Route,
  record: QueueRecord,
  deps: ForwardRecordDeps,
  wait: Wait,
  signal: AbortSignal | undefined,
): Promise<RecordOutcome> {
  try {
    const once = await deps.oncePerBatch({ ...batch, route: route.name }, () =>
      forwardOnce(batch, route, batch.route === undefined, record, deps, wait, signal),
    );
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

/**
 * One route's delivery of the batch. Invalid events are dead-lettered once: by the first route of
 * a batch seen for the first time (a batch for one route was seen before, its invalid events too).
 */
async function forwardOnce(
  batch: EventBatch,
  route: Route,
  reportsInvalid: boolean,
  record: QueueRecord,
  deps: ForwardRecordDeps,
  wait: Wait,
  signal: AbortSignal | undefined,
): Promise<BatchSummary> {
  // A redriven dead letter's events rest redacted: brought to this route's redaction, they are
  // not redacted again (lib/core/pipeline/redaction-at-rest.ts).
  const redrive = batch.redaction === undefined ? undefined : redactionForRedrive(batch.events, batch.stream, batch.redaction, route.stages);
  const result = redrive === undefined
    ? await forwardBatch(batch, route.stages, signal)
    : await forwardBatch({ ...batch, events: redrive.events }, { ...route.stages, redact: redrive.redact }, signal);
  const deadLetters = routeDeadLetters(result.deadLetters, route.name, reportsInvalid);
  const { retry } = result;
  if (retry && result.delivered === 0 && deadLetters.length === 0) {
    throw new NothingDeliveredError(batch.batchId, retry.retryAfterMs, retry.authFailure);
  }
  for (const [index, deadLetter] of deadLetters.entries()) {
    const resting = deadLetterBatch(batch, deadLetter, route.name, record.messageId, index);
    await deps.queues.deadLetter({
      body: messageBody(resting),
      reason: deadLetter.reason,
      detail: deadLetter.detail,
      sourceMessageId: record.messageId,
      batchId: resting.batchId,
    });
  }
  // Delivered events must not go out again, so the rest travels alone, with its own batch id,
  // for this route only.
  if (retry) await deps.queues.requeue({ ...retry.batch, route: route.name }, wait(retry.retryAfterMs, MAX_DELAY_SECONDS));
  return {
    batchId: batch.batchId,
    delivered: result.delivered,
    filtered: result.filtered,
    deadLettered: deadLetters.reduce((sum, { events }) => sum + events.length, 0),
    requeued: retry?.batch.events.length ?? 0,
  };
}

/**
 * The batch a dead letter rests as, what a redrive puts back on the queue. Its own batch id (of
 * the message and route it was dead-lettered from: the same if that message is processed again),
 * for the batch's own id is done for this route and its idempotency record would drop the
 * redrive; owed to the route that refused it, or to every route when the event is invalid (none
 * could take it); marked with the redaction its events had.
 */
function deadLetterBatch(batch: EventBatch, deadLetter: DeadLetter, route: string, messageId: string, index: number): EventBatch {
  const { route: _owedTo, redaction: _before, ...rest } = batch;
  return {
    ...rest,
    batchId: batchIdFor(batch.tenant, batch.realm, batch.stream, ['dead-letter', messageId, route, String(index)]),
    ...(deadLetter.reason === 'invalid-event' ? {} : { route }),
    ...(deadLetter.redaction === undefined ? {} : { redaction: deadLetter.redaction }),
    events: deadLetter.events as EventBatch['events'],
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
