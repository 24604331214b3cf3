import { setMaxListeners } from 'node:events';
import { forwardBatch } from '../core/forwarder/forward-batch.js';
import type { ForwarderStages, ForwardResult } from '../core/forwarder/forward-batch.js';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { Route } from '../runtime/routes-from-config.js';
import { routeDeadLetters } from '../runtime/route-dead-letters.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import type { InProcessQueue } from '../stores/queue/in-process-queue.js';
import type { Clock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';
import { RetryPolicy } from '../net/retry-policy.js';
import type { Sink, SinkError } from '../sinks/sink.js';
import type { DeadLetterFile } from './dead-letter-file.js';
import { DeliveryLimitReached } from './delivery-limit.js';
import { UndeliveredError } from './undelivered-error.js';

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
  /**
   * Deliveries of one batch to one route (each one the sink's `SIEM_ATTEMPTS` requests) before
   * the batch is failed with an {@link UndeliveredError}: `run --once` gives 1, so it ends within
   * a bound. @default Infinity (until `stop`)
   */
  deliveries?: number;
  /**
   * By route name: how long one delivery may take before it is cut short (what was not sent is
   * retried, or given up when out of `deliveries`). `run --once` sets it, see `deliveryLimitMs`.
   */
  deliveryLimitsMs?: Readonly<Record<string, number>>;
  /** Told every failed SIEM request and every delivery the SIEM took, by route. */
  siemObserver?: SiemObserver;
}

/** What the consumer reports of each route's SIEM, for the failure log and /health. */
export interface SiemObserver {
  /** One request to the route's SIEM failed (it may be retried). */
  requestFailed(route: string, error: SinkError): void;
  /** The route's SIEM took a delivery (nothing of it is left to retry). */
  delivered(route: string): void;
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
 * back. Once `stop` is aborted, or the batch used up its `deliveries`, a batch that a route still
 * cannot deliver is failed instead with an `UndeliveredError` naming the last cause: its `enqueue`
 * rejects, the poller does not commit it, and the batch after it is never released.
 */
export async function consumeBatches(options: ConsumeBatchesOptions): Promise<void> {
  const routes = options.routes ?? (options.stages ? [{ name: DEFAULT_ROUTE_NAME, stages: options.stages }] : []);
  const { baseDelayMs, maxDelayMs } = options.retry ?? LOCAL_CONSUMER_RETRY;
  const budget = new RetryPolicy({ attempts: options.deliveries ?? Infinity, backoff: { baseMs: baseDelayMs, maxMs: maxDelayMs }, longRetryAfter: 'wait-max', random: options.random, clock: options.clock });
  await Promise.all(Array.from({ length: BATCHES_HELD }, () => consumeInTurn(routes, options, budget)));
}

async function consumeInTurn(routes: readonly Route[], options: ConsumeBatchesOptions, budget: RetryPolicy): Promise<void> {
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
    const outcomes = await Promise.allSettled(routes.map((route, index) => deliverToRoute(queued.batch, route, index === 0, options, queued.released, budget)));
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (reasons.length === 0) queued.ack();
    // Every route whose SIEM gave up is named, so one run says all that is wrong.
    else if (reasons.every((reason) => reason instanceof UndeliveredError)) queued.fail(new UndeliveredError(reasons.flatMap((reason) => reason.routes)));
    else {
      const first = reasons.find((reason) => !(reason instanceof UndeliveredError));
      queued.fail(first instanceof Error ? first : new Error(String(first)));
    }
  }
}

async function deliverToRoute(
  first: EventBatch,
  route: Route,
  reportsInvalid: boolean,
  options: ConsumeBatchesOptions,
  released: Promise<unknown>,
  budget: RetryPolicy,
): Promise<void> {
  let batch = first;
  let lastCause: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const collected: SinkError[] = [];
    const limit = limitDelivery(options.deliveryLimitsMs?.[route.name], released);
    let result: ForwardResult;
    try {
      result = await forwardBatch(batch, { ...route.stages, sink: reportingErrors(route.stages.sink, collected) }, limit?.signal, released);
    } finally {
      limit?.clear();
    }
    // Requests the limit aborted say nothing about the SIEM: the ones before them do.
    const cut = limit?.signal.aborted ? (limit.signal.reason as DeliveryLimitReached).message : undefined;
    const errors = cut === undefined ? collected : collected.filter(({ reason }) => !reason.includes(cut));
    for (const error of errors) options.siemObserver?.requestFailed(route.name, error);
    // Only a delivery that reached the SIEM says it works (a batch all filtered out never asked it).
    if (!result.retry && (result.delivered > 0 || errors.length > 0)) options.siemObserver?.delivered(route.name);
    lastCause = errors.at(-1)?.reason ?? cut ?? lastCause;
    const deadLetters = routeDeadLetters(result.deadLetters, route.name, reportsInvalid);
    await options.deadLetters.append(batch, deadLetters, options.clock.now());
    if (!result.retry) return;
    const stopping = options.stop.aborted;
    if (stopping || !budget.hasAttemptsLeft(attempt + 1)) {
      throw new UndeliveredError([{ route: route.name, realm: batch.realm, stream: batch.stream, events: result.retry.batch.events.length, cause: lastCause, stopping }]);
    }
    batch = result.retry.batch;
    reportsInvalid = false;
    // The budget was checked above; this is the wait: backoff, or the SIEM's Retry-After (capped by lib/net).
    const decision = budget.decide({ attemptsMade: attempt + 1, retryAfterMs: result.retry.retryAfterMs });
    await options.sleep(decision.retry ? decision.delayMs : 0, options.stop);
  }
}

/** `sink` with the errors of each delivery also collected into `errors`. */
function reportingErrors(sink: Sink, errors: SinkError[]): Sink {
  return {
    name: sink.name,
    close: () => sink.close(),
    healthcheck: (options) => sink.healthcheck(options),
    deliver: async (events, signal) => {
      const delivery = await sink.deliver(events, signal);
      errors.push(...delivery.errors);
      return delivery;
    },
  };
}

/**
 * A signal that aborts `limitMs` after `released` resolves (time waiting for the batch before it
 * does not count), with a {@link DeliveryLimitReached} as its reason; undefined without a limit.
 */
function limitDelivery(limitMs: number | undefined, released: Promise<unknown>): { signal: AbortSignal; clear(): void } | undefined {
  if (limitMs === undefined) return undefined;
  const controller = new AbortController();
  // Every request group of the delivery backs off on this signal at once (a batch sent one event
  // per request is hundreds of groups): many listeners are expected, not a leak to warn about.
  setMaxListeners(0, controller.signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cleared = false;
  released.then(
    () => {
      if (!cleared) timer = setTimeout(() => controller.abort(new DeliveryLimitReached(limitMs)), limitMs);
    },
    () => undefined,
  );
  return {
    signal: controller.signal,
    clear: () => {
      cleared = true;
      clearTimeout(timer);
    },
  };
}
