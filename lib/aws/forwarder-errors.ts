/** Base error of the forwarder's AWS side; `cause` holds the SDK or Powertools error. */
export class ForwarderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A write to SQS (dead letter, re-enqueue, visibility change) failed. */
export class ForwarderQueueError extends ForwarderError {
  constructor(
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : '';
    super(`${action} failed${reason}`, options);
  }
}

/**
 * The SIEM took nothing of a batch yet (it answered 429/5xx, timed out, or refused our
 * credentials): thrown inside the idempotent section so its record is removed and the message's
 * next delivery runs it again.
 */
export class NothingDeliveredError extends ForwarderError {
  constructor(
    readonly batchId: string,
    readonly retryAfterMs: number | undefined,
    readonly authFailure: boolean,
  ) {
    super(`the SIEM accepted none of batch ${batchId}${authFailure ? ' (it refused our credentials)' : ''}; retrying later`);
  }
}
