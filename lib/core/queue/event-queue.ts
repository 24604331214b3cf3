import type { EventBatch } from './event-batch.js';

/** Options of {@link EventQueue.enqueue}. */
export interface EnqueueOptions {
  /**
   * Nothing of the batches leaves the process before `after` resolves (SQS, or the SIEM behind
   * the local queue, gets them only then), and nothing ever does when it rejects: `enqueue` then
   * rejects with its reason. The poller passes the commit of the chunk before, so a chunk is
   * prepared while that commit is written, yet never sent before it is durable.
   */
  after?: Promise<unknown>;
}

/**
 * Where the poller puts batches. `enqueue` resolves only once every batch is durably accepted
 * (SQS acknowledged it, or the in-process queue holds it), because the cursor commit that
 * follows declares those events safe.
 */
export interface EventQueue {
  enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void>;
}
