/** Base of every queue error; `cause` holds the SDK's own error when there is one. */
export class QueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * One event is larger than a queue message may be, even alone in its batch: it cannot be sent
 * at all. The poller decides what to do with it (it must not commit past it silently).
 */
export class EventTooLargeError extends QueueError {
  constructor(
    readonly eventKey: string,
    /** The size of the smallest message that could carry the event, in bytes. */
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`event ${eventKey} needs a ${bytes}-byte message, more than the queue's limit of ${maxBytes} bytes`);
  }
}

/** A batch would not pass the forwarder's validation: sending it would only dead-letter it. */
export class InvalidBatchError extends QueueError {
  constructor(
    readonly batchId: string,
    /** Why, per field path (never the values: they may hold personal data). */
    readonly reason: string,
  ) {
    super(`batch ${batchId} is not a valid queue message: ${reason}`);
  }
}

/** One entry that SQS still refused after the last attempt. */
export interface FailedEntry {
  batchId: string;
  code: string;
  senderFault: boolean;
}

/** SQS kept refusing some entries of a SendMessageBatch after every attempt. */
export class EnqueueFailedError extends QueueError {
  constructor(
    readonly failures: readonly FailedEntry[],
    readonly attempts: number,
  ) {
    const first = failures[0];
    super(
      `SQS refused ${failures.length} message(s) after ${attempts} attempt(s)` +
        (first ? `, first: batch ${first.batchId} (${first.code}${first.senderFault ? ', sender fault' : ''})` : ''),
    );
  }
}

/** An SQS call failed as a whole (after the SDK's own retries): queue missing, access denied, network. */
export class QueueSendError extends QueueError {
  constructor(
    readonly queueName: string,
    options: { cause: unknown },
  ) {
    const name = options.cause instanceof Error ? options.cause.name : typeof options.cause;
    super(`SendMessageBatch to queue ${queueName} failed: ${name}`, options);
  }
}
