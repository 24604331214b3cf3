import { InvalidPointerError, payloadPointerOf, retrievePayload } from '../core/queue/claim-check.js';
import type { PayloadPointer, PayloadStore } from '../core/queue/claim-check.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import { ForwarderError } from './forwarder-errors.js';
import { forwardRecord } from './forward-record.js';
import type { ForwardRecordDeps, QueueRecord, RecordOutcome } from './forward-record.js';
import { backoffSeconds } from './visibility-backoff.js';

/** What {@link forwardClaimChecked} works with besides {@link ForwardRecordDeps}. */
export interface ClaimCheckedDeps extends ForwardRecordDeps {
  /** The tenant's payload bucket (LARGE_PAYLOAD_BUCKET); without it a pointer message fails its record. */
  payloads?: PayloadStore;
  /** Told when a payload could not be deleted after its message was done. */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

/** A pointer message reached a forwarder that has no payload bucket configured. */
export class PayloadBucketNotConfiguredError extends ForwarderError {
  constructor(messageId: string) {
    super(`message ${messageId} carries its payload in S3, but LARGE_PAYLOAD_BUCKET is not set: the record is left for a forwarder that has it`);
  }
}

// Thrown inside an idempotent section only to learn whether its batch was done before.
class PayloadGoneError extends Error {}

/**
 * Forwards one queue message, reading a claim-checked one (lib/core/queue/claim-check.ts) from the
 * payload bucket first: its size and hash checked, it is forwarded like any other message.
 *
 * The object is deleted once the message is done (the bucket holds personal data: it should
 * rest no longer than the message that needs it); until then it stays, through retries, a
 * requeue or a dead letter of the pointer, and the bucket's lifecycle rule expires whatever a
 * crash between done and delete leaves. Because of that delete, a second copy of a done message
 * (SQS delivers at least once) finds no object: the idempotency records of the batch's routes
 * then tell a copy (done) from a loss (dead-lettered as `payload-missing`).
 */
export async function forwardClaimChecked(record: QueueRecord, deps: ClaimCheckedDeps, signal?: AbortSignal): Promise<RecordOutcome> {
  let pointer: PayloadPointer | undefined;
  try {
    pointer = payloadPointerOf(record.body, record.attributes ?? {});
  } catch (error) {
    if (!(error instanceof InvalidPointerError)) throw error;
    return deadLetterPointer(record, deps, 'invalid-message', error.message);
  }
  if (pointer === undefined) return forwardRecord(record, deps, signal);
  const store = deps.payloads;
  if (store === undefined) throw new PayloadBucketNotConfiguredError(record.messageId);
  if (pointer.bucket !== store.bucket) {
    return deadLetterPointer(record, deps, 'invalid-message', `the pointer names bucket ${pointer.bucket}, not the tenant's payload bucket ${store.bucket}`);
  }
  const payload = await retrievePayload(pointer, store);
  // The object stays: the dead letter is the pointer itself, for an operator to look at.
  if (payload.status === 'mismatch') return deadLetterPointer(record, deps, 'invalid-message', payload.detail);
  if (payload.status === 'missing') return settleMissingPayload(record, pointer, deps);
  const outcome = await forwardRecord({ ...record, body: payload.body }, deps, signal);
  if (outcome.status === 'done') {
    await store.delete(pointer).catch((error: unknown) =>
      deps.warn?.('large payload not deleted after its message was done; the bucket\'s lifecycle rule expires it', {
        bucket: pointer.bucket,
        key: pointer.key,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }
  return outcome;
}

async function settleMissingPayload(record: QueueRecord, pointer: PayloadPointer, deps: ClaimCheckedDeps): Promise<RecordOutcome> {
  const where = `s3://${pointer.bucket}/${pointer.key}`;
  const batchId = record.attributes?.['batchId']?.StringValue;
  const route = record.attributes?.['route']?.StringValue;
  const targets = route === undefined ? deps.routes : deps.routes.filter(({ name }) => name === route);
  if (batchId === undefined || targets.length === 0) {
    return deadLetterPointer(record, deps, 'payload-missing', `${where} is gone (deleted or expired) and the message names no batch id of a configured route`);
  }
  let inProgress = false;
  for (const target of targets) {
    try {
      // Only the id and route are read: a done batch answers from its record, without the events.
      const stub = { batchId, route: target.name } as EventBatch;
      const once = await deps.oncePerBatch(stub, () => Promise.reject(new PayloadGoneError()));
      if (once.status === 'in-progress') inProgress = true;
    } catch (error) {
      if (!(error instanceof PayloadGoneError)) throw error;
      return deadLetterPointer(record, deps, 'payload-missing', `${where} is gone (deleted or expired) and batch ${batchId} was not delivered to route ${target.name}`);
    }
  }
  if (!inProgress) return { status: 'done' };
  const visibilitySeconds = backoffSeconds({ receiveCount: record.receiveCount, ...deps.backoff, limitSeconds: deps.visibilityLimitSeconds, random: deps.random });
  await deps.queues.retryLater(record.receiptHandle, visibilitySeconds);
  return { status: 'retry', reason: 'in-progress', visibilitySeconds };
}

/** Dead-letters the pointer message as it came, its attributes kept, so `dlq` shows and redrives it as a pointer. */
async function deadLetterPointer(record: QueueRecord, deps: ClaimCheckedDeps, reason: string, detail: string): Promise<RecordOutcome> {
  await deps.queues.deadLetter({
    body: record.body,
    reason,
    detail,
    sourceMessageId: record.messageId,
    batchId: record.attributes?.['batchId']?.StringValue,
    attributes: record.attributes,
  });
  deps.routes[0]?.stages.observer?.deadLettered?.('invalid-message', 1);
  return { status: 'done', invalid: detail };
}
