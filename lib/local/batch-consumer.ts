import { forwardBatch } from '../forwarder/forward-batch.js';
import type { ForwarderStages } from '../forwarder/forward-batch.js';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { Route } from '../forwarder/routes-from-config.js';
import type { EventBatch } from '../queue/event-batch.js';
import type { InProcessQueue } from '../queue/in-process-queue.js';
import type { Clock } from '../time/clock.js';
import type { Sleep } from '../time/sleep.js';
import type { DeadLetterFile } from './dead-letter-file.js';

/** How the local consumer backs off while the SIEM is unavailable. */
export interface ConsumerRetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Half a second doubling up to 30 s: a local SIEM outage is retried briskly, then patiently. */
export const LOCAL_CONSUMER_RETRY: ConsumerRetryPolicy = { baseDelayMs: 500, maxDelayMs: 30_000 };

/** Options of {@link consumeBatches}: `routes`, or `stages` for the one route `default`. */
export interface ConsumeBatchesOptions {
  queue: InProcessQueue;
  stages?: ForwarderStages;
  routes?: readonly Route[];
  deadLetters: DeadLetterFile;
  clock: Clock;
  sleep: Sleep;
  /** @default LOCAL_CONSUMER_RETRY */
  retry?: ConsumerRetryPolicy;
  random: () => number;
  stop: AbortSignal;
  /** Takes every batch once, before delivery, for the event archive; must not block. */
  archive?: { offer(batch: EventBatch): void };
}

/**
 * Delivers what the local poller enqueued, one batch at a time, until the queue is closed and
 * drained. Each route gets the batch on its own, at the same time: a route its SIEM does not take
 * is retried, the undelivered rest only, with exponential backoff (or the SIEM's Retry-After),
 * so what was delivered is never sent again and the other routes are not held back. Once `stop`
 * is aborted, a batch that a route still cannot deliver is failed instead: its `enqueue`
 * rejects, and the poller does not commit it.
 */
export async function consumeBatches(options: ConsumeBatchesOptions): Promise<void> {
  const routes = options.routes ?? (options.stages ? [{ name: DEFAULT_ROUTE_NAME, stages: options.stages }] : []);
  for (;;) {
    const queued = await options.queue.next();
    if (!queued) return;
    // Forwarding a batch keeps this thread busy for milliseconds: first let the poller, which
    // continues as soon as the batch is enqueued, send its request for the next page, so MPAS
    // serves it meanwhile rather than after.
    await new Promise((resolve) => setImmediate(resolve));
    options.archive?.offer(queued.batch);
    const outcomes = await Promise.allSettled(routes.map((route, index) => deliverToRoute(queued.batch, route, index === 0, options)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) queued.fail(failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)));
    else queued.ack();
  }
}

async function deliverToRoute(first: EventBatch, route: Route, reportsInvalid: boolean, options: ConsumeBatchesOptions): Promise<void> {
  let batch = first;
  for (let attempt = 0; ; attempt++) {
    const result = await forwardBatch(batch, route.stages);
    // Every route sees the same invalid events: the first one files them.
    const deadLetters = (reportsInvalid ? result.deadLetters : result.deadLetters.filter(({ reason }) => reason !== 'invalid-event')).map(
      (deadLetter) => (route.name === DEFAULT_ROUTE_NAME ? deadLetter : { ...deadLetter, detail: `route ${route.name}: ${deadLetter.detail}` }),
    );
    await options.deadLetters.append(batch, deadLetters, options.clock.now());
    if (!result.retry) return;
    if (options.stop.aborted) {
      const where = route.name === DEFAULT_ROUTE_NAME ? 'the SIEM' : `the SIEM of route ${route.name}`;
      throw new Error(`stopping: ${where} did not accept ${result.retry.batch.events.length} events yet`);
    }
    batch = result.retry.batch;
    reportsInvalid = false;
    const { baseDelayMs, maxDelayMs } = options.retry ?? LOCAL_CONSUMER_RETRY;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt) * options.random();
    await options.sleep(Math.max(backoff, result.retry.retryAfterMs ?? 0), options.stop);
  }
}
