import { performance } from 'node:perf_hooks';
import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import type { Clock } from '../../lib/core/time/clock.js';
import { createEventSource } from '../generators/event-generator.js';
import { createRandom } from '../generators/random.js';
import { SimulatorUsageError } from './errors.js';
import type { LiveTrafficOptions } from './simulator-options.js';

/** Where live traffic puts its events. */
export interface LiveTrafficTarget {
  /** The server's clock (injected clock plus skew): events are stamped by it, as EventBuilder does. */
  clock: Clock;
  defaultRealm: string;
  add(realm: string, stream: Stream, events: readonly MpasEvent[], visibleAt: number): void;
}

const TICK_MS = 50;

/**
 * The delay from an event's `time` to its commit. Keycloak stamps `time` in EventBuilder.send()
 * (`Time.currentTimeMillis()`) and persists the row in the request's transaction, which commits
 * when the request ends; a slow request can hold it until the transaction timeout (300 s:
 * quarkus.transaction-manager.default-transaction-timeout in quarkus/runtime application.properties).
 * With `lateCommits`, most events commit within `typicalMs` and `share` of them between one
 * second and `maxMs`, log-uniformly (many a few seconds late, a few minutes late); otherwise
 * uniform in `commitDelayMs`.
 */
export function commitDelays(options: LiveTrafficOptions, seed: number): () => number {
  const delays = createRandom(seed ^ 0x5bd1e995);
  const late = options.lateCommits;
  if (late) {
    const { share, maxMs } = late;
    const typicalMs = late.typicalMs ?? 5;
    if (!(Number.isFinite(share) && share >= 0 && share <= 1)) throw new SimulatorUsageError(`startLiveTraffic: lateCommits.share must be from 0 to 1, got ${share}`, 'lateCommits');
    if (!(Number.isInteger(typicalMs) && typicalMs >= 0)) throw new SimulatorUsageError(`startLiveTraffic: lateCommits.typicalMs must be an integer >= 0, got ${typicalMs}`, 'lateCommits');
    if (!(Number.isInteger(maxMs) && maxMs > typicalMs)) throw new SimulatorUsageError(`startLiveTraffic: lateCommits.maxMs must be an integer > typicalMs (${typicalMs}), got ${maxMs}`, 'lateCommits');
    const tailFrom = Math.min(1000, maxMs);
    return () => {
      if (!delays.chance(share)) return delays.int(0, typicalMs);
      return Math.round(tailFrom * Math.pow(maxMs / tailFrom, delays.next()));
    };
  }
  const [minDelay, maxDelay] = options.commitDelayMs ?? [0, 250];
  if (!(Number.isInteger(minDelay) && Number.isInteger(maxDelay) && minDelay >= 0 && maxDelay >= minDelay)) {
    throw new SimulatorUsageError(`startLiveTraffic: commitDelayMs must be integers [min, max] with 0 <= min <= max, got [${minDelay}, ${maxDelay}]`, 'commitDelayMs');
  }
  return () => delays.int(minDelay, maxDelay);
}

/**
 * Adds generated events at a steady rate on the real timer, each stamped `clock.now()` and
 * committed (made visible) a random delay later, as a busy Keycloak does. The rate is kept by
 * elapsed real time, not by tick count, so a slow tick is caught up on the next one.
 * Returns the function that stops it.
 */
export function startLiveTraffic(target: LiveTrafficTarget, options: LiveTrafficOptions): () => void {
  const { eventsPerSecond } = options;
  if (!(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) {
    throw new SimulatorUsageError(`startLiveTraffic: eventsPerSecond must be > 0, got ${eventsPerSecond}`, 'eventsPerSecond');
  }
  const realm = options.realm ?? target.defaultRealm;
  const seed = options.seed ?? 1;
  const nextDelay = commitDelays(options, seed);
  const source = createEventSource({ seed, realm, adminShare: options.adminShare ?? 0.1 });
  let credit = 0;
  let last = performance.now();

  const timer = setInterval(() => {
    const now = performance.now();
    credit += ((now - last) / 1000) * eventsPerSecond;
    last = now;
    for (; credit >= 1; credit -= 1) {
      const time = target.clock.now();
      const generated = source.next(time);
      target.add(realm, generated.stream, [generated.event], time + nextDelay());
    }
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
