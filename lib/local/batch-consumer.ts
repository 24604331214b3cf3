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
 * How many batches the consumer holds at once: one on its way to the SIEM, the next one prepared
 * (validated, redacted, formatted) meanwhile. The poller releases a batch only once the one
 * before was delivered and committed (see `pollTenant`), so its batches never travel together.
 */
const BATCHES_HELD = 2;

/**
 * Delivers what the local poller enqueued until the queue is closed and drained. A batch is
 * prepared as soon as it is handed out and sent once released (the poller's batches reach the
 * SIEM one at a time, in order). Each route gets the batch on its own, at the same time: a route its SIEM
 * does not take is retried, the undelivered rest only, with exponential backoff (or the SIEM's
 * Retry-After), so what was delivered is never sent again and the other routes are not held
 * back. Once `stop` is aborted, a batch that a route still cannot deliver is failed instead: its
 * `enqueue` rejects, the poller does not commit it, and the batch after it is never released.
 */
export async function consumeBatches(options: ConsumeBatchesOptions): Promise<void> {
  const routes = options.routes ?? (options.stages ? [{ name: DEFAULT_ROUTE_NAME, stages: options.stages }] : []);
  await Promise.all(Array.from({ length: BATCHES_HELD }, () => consumeInTurn(routes, options)));
}

async function consumeInTurn(routes: readonly Route[], options: ConsumeBatchesOptions): Promise<void> {
  for (;;) {
    const queued = await options.queue.next();
    if (!queued) return;
    // Forwarding a batch keeps this thread busy for milliseconds: first let the poller, which
    // continues as soon as the batch is enqueued, send its request for the next page, so MPAS
    // serves it meanwhile rather than after.
    await new Promise((resolve) => setImmediate(resolve));
    // Archived once released only: a batch never released is read again, by this poller or the next.
    const archive = options.archive;
    if (archive) queued.released.then(() => archive.offer(queued.batch), () => undefined);
    const outcomes = await Promise.allSettled(routes.map((route, index) => deliverToRoute(queued.batch, route, index === 0, options, queued.released)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) queued.fail(failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)));
    else queued.ack();
  }
}

async function deliverToRoute(first: EventBatch, route: Route, reportsInvalid: boolean, options: ConsumeBatchesOptions, released: Promise<unknown>): Promise<void> {
  let batch = first;
  for (let attempt = 0; ; attempt++) {
    const result = await forwardBatch(batch, route.stages, undefined, released);
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
