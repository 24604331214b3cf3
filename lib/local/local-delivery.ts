import { join } from 'node:path';
import type { ForwarderConfig } from '../config/app-config-schema.js';
import type { ForwardObserver } from '../core/forwarder/forward-observer.js';
import type { Clock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';
import { routesFromConfig } from '../runtime/routes-from-config.js';
import type { Route } from '../runtime/routes-from-config.js';
import type { Sink } from '../sinks/sink.js';
import { InProcessQueue } from '../stores/queue/in-process-queue.js';
import { consumeBatches } from './batch-consumer.js';
import type { ConsumeBatchesOptions } from './batch-consumer.js';
import { DeadLetterFile } from './dead-letter-file.js';

/** Options of {@link startLocalDelivery}. */
export interface LocalDeliveryOptions {
  config: ForwarderConfig;
  /** The product version, for CEF headers. */
  version: string;
  /** Where the tenant's dead-letter file is. */
  stateDir: string;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  /** The caller's stop: aborting it stops the delivery (what was read is delivered or not committed). */
  signal?: AbortSignal;
  /** Sinks instead of the configured ones, by route name (tests). */
  sinks?: Readonly<Record<string, Sink>>;
  forwardObserver?: ForwardObserver;
  /** The consumer's further options: the archive, and the bounds of `run --once`. */
  consumer?: Pick<ConsumeBatchesOptions, 'archive' | 'deliveries' | 'deliveryLimitsMs' | 'siemObserver'>;
}

/** The forwarding half of a local process, running until {@link LocalDelivery.close}. */
export interface LocalDelivery {
  /** Aborted by the caller's signal or by close(): the poll reading into {@link queue} stops on it. */
  readonly stop: AbortSignal;
  /** What the poller enqueues into; an enqueue resolves once every route took the batch. */
  readonly queue: InProcessQueue;
  readonly routes: readonly Route[];
  readonly deadLetterFile: string;
  /** Events dead-lettered so far. */
  deadLettered(): number;
  /** Stops, lets the consumer finish the batch in hand, and closes the sinks. */
  close(): Promise<void>;
}

/**
 * The configured routes behind a bounded in-process queue, consumed in order, with refused events
 * in the tenant's dead-letter file (where `dlq` finds them): what `run` and `replay` deliver
 * through alike.
 */
export function startLocalDelivery(options: LocalDeliveryOptions): LocalDelivery {
  const { config } = options;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const deadLetters = new DeadLetterFile(join(options.stateDir, `${config.tenant}.dead-letters.ndjson`));
  let deadLettered = 0;
  const routes = routesFromConfig(config, {
    version: options.version,
    observer: {
      ...options.forwardObserver,
      deadLettered: (reason, count) => {
        deadLettered += count;
        options.forwardObserver?.deadLettered?.(reason, count);
      },
    },
    sinks: options.sinks,
  });
  const queue = new InProcessQueue({ maxBatches: 4 });
  const consumer = consumeBatches({
    ...options.consumer,
    queue,
    routes,
    deadLetters,
    clock: options.clock,
    sleep: options.sleep,
    random: options.random,
    stop: stop.signal,
  });
  return {
    stop: stop.signal,
    queue,
    routes,
    deadLetterFile: deadLetters.path,
    deadLettered: () => deadLettered,
    async close() {
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      queue.close();
      await consumer;
      await Promise.all(routes.map(({ stages }) => stages.sink.close()));
    },
  };
}
