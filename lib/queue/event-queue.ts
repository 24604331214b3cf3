import type { EventBatch } from './event-batch.js';

/**
 * Where the poller puts batches. `enqueue` resolves only once every batch is durably accepted
 * (SQS acknowledged it, or the in-process queue holds it), because the cursor commit that
 * follows declares those events safe.
 */
export interface EventQueue {
  enqueue(batches: readonly EventBatch[]): Promise<void>;
}
