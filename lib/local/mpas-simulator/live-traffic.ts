import { performance } from 'node:perf_hooks';
import type { MpasEvent, Stream } from '../../mpas/event-schemas.js';
import type { Clock } from '../../time/clock.js';
import { createEventSource } from '../event-generator.js';
import { createRandom } from '../random.js';
import { SimulatorUsageError } from './errors.js';
import type { LiveTrafficOptions } from './simulator-options.js';

/** Where live traffic puts its events. */
export interface LiveTrafficTarget {
  clock: Clock;
  defaultRealm: string;
  add(realm: string, stream: Stream, events: readonly MpasEvent[], visibleAt: number): void;
}

const TICK_MS = 50;

/**
 * Adds generated events at a steady rate on the real timer, each stamped `clock.now()` and
 * committed (made visible) a random delay later, as a busy Keycloak does. The rate is kept by
 * elapsed real time, not by tick count, so a slow tick is caught up on the next one.
 * Returns the function that stops it.
 */
export function startLiveTraffic(target: LiveTrafficTarget, options: LiveTrafficOptions): () => void {
  const { eventsPerSecond } = options;
  const [minDelay, maxDelay] = options.commitDelayMs ?? [0, 250];
  if (!(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) {
    throw new SimulatorUsageError(`startLiveTraffic: eventsPerSecond must be > 0, got ${eventsPerSecond}`, 'eventsPerSecond');
  }
  if (!(Number.isInteger(minDelay) && Number.isInteger(maxDelay) && minDelay >= 0 && maxDelay >= minDelay)) {
    throw new SimulatorUsageError(`startLiveTraffic: commitDelayMs must be integers [min, max] with 0 <= min <= max, got [${minDelay}, ${maxDelay}]`, 'commitDelayMs');
  }
  const realm = options.realm ?? target.defaultRealm;
  const seed = options.seed ?? 1;
  const source = createEventSource({ seed, realm, adminShare: options.adminShare ?? 0.1 });
  const delays = createRandom(seed ^ 0x5bd1e995);
  let credit = 0;
  let last = performance.now();

  const timer = setInterval(() => {
    const now = performance.now();
    credit += ((now - last) / 1000) * eventsPerSecond;
    last = now;
    for (; credit >= 1; credit -= 1) {
      const time = target.clock.now();
      const generated = source.next(time);
      target.add(realm, generated.stream, [generated.event], time + delays.int(minDelay, maxDelay));
    }
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
