import type { Sleep } from '../../lib/core/time/sleep.js';
import { ManualClock } from '../../lib/core/time/clock.js';

/**
 * The shared batch and request settings the protocol sinks' tests start from: JSON, small
 * batches, three attempts, and a fixed clock and jitter so every backoff the injected sleep
 * records can be asserted exactly. Tests override what they exercise.
 */
export function testSinkSettings(sleep: Sleep) {
  return {
    format: 'json' as const,
    timeoutMs: 5_000,
    concurrency: 2,
    maxBatchEvents: 100,
    maxBatchBytes: 1_000_000,
    attempts: 3,
    gzip: false,
    sleep,
    random: () => 0.5,
    clock: new ManualClock(1_739_388_500_000),
  };
}
