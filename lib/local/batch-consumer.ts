import { forwardBatch } from '../forwarder/forward-batch.js';
import type { ForwarderStages } from '../forwarder/forward-batch.js';
import type { InProcessQueue } from '../queue/in-process-queue.js';
import type { Clock } from '../time/clock.js';
import type { Sleep } from '../time/sleep.js';
import type { DeadLetterFile } from './dead-letter-file.js';

/** How the local consumer backs off while the SIEM is unavailable. */
export interface ConsumerRetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delivers what the local poller enqueued, one batch at a time, until the queue is closed and
 * drained. A batch the SIEM does not take is retried here, the undelivered rest only, with
 * exponential backoff (or the SIEM's Retry-After), so what was delivered is never sent again.
 * Once `stop` is aborted, a batch that still cannot be delivered is failed instead: its
 * `enqueue` rejects, and the poller does not commit it.
 */
export async function consumeBatches(options: {
  queue: InProcessQueue;
  stages: ForwarderStages;
  deadLetters: DeadLetterFile;
  clock: Clock;
  sleep: Sleep;
  retry: ConsumerRetryPolicy;
  random: () => number;
  stop: AbortSignal;
}): Promise<void> {
  for (;;) {
    const queued = await options.queue.next();
    if (!queued) return;
    let batch = queued.batch;
    try {
      for (let attempt = 0; ; attempt++) {
        const result = await forwardBatch(batch, options.stages);
        await options.deadLetters.append(batch, result.deadLetters, options.clock.now());
        if (!result.retry) break;
        if (options.stop.aborted) throw new Error(`stopping: the SIEM did not accept ${result.retry.batch.events.length} events yet`);
        batch = result.retry.batch;
        const backoff = Math.min(options.retry.maxDelayMs, options.retry.baseDelayMs * 2 ** attempt) * options.random();
        await options.sleep(Math.max(backoff, result.retry.retryAfterMs ?? 0), options.stop);
      }
      queued.ack();
    } catch (error) {
      queued.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
