import { describe, expect, it } from 'vitest';
import { commitDelays } from '../../../../devtools/mpas-simulator/live-traffic.js';
import { SimulatorUsageError } from '../../../../devtools/mpas-simulator/errors.js';

describe('commitDelays', () => {
  it('keeps the uniform [0, 250] default', () => {
    const next = commitDelays({ eventsPerSecond: 1 }, 1);
    const draws = Array.from({ length: 2_000 }, () => next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(250);
    expect(Math.max(...draws)).toBeGreaterThan(200);
  });

  it('draws a long tail: most commits within a few ms, the given share from 1 s up to maxMs', () => {
    const seed = 11;
    const next = commitDelays({ eventsPerSecond: 1, lateCommits: { share: 0.05, maxMs: 300_000 } }, seed);
    const draws = Array.from({ length: 20_000 }, () => next());
    const late = draws.filter((ms) => ms > 5);
    expect(late.length / draws.length, `seed ${seed}`).toBeGreaterThan(0.04);
    expect(late.length / draws.length, `seed ${seed}`).toBeLessThan(0.06);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...late)).toBeLessThanOrEqual(300_000);
    // Log-uniform: about as many a few seconds late as minutes late.
    expect(late.filter((ms) => ms > 60_000).length).toBeGreaterThan(late.length / 5);
    expect(late.filter((ms) => ms < 10_000).length).toBeGreaterThan(late.length / 5);
    // The same seed replays the same delays.
    const again = commitDelays({ eventsPerSecond: 1, lateCommits: { share: 0.05, maxMs: 300_000 } }, seed);
    expect(Array.from({ length: 20_000 }, () => again())).toEqual(draws);
  });

  it('refuses a share outside 0..1 or a maxMs not above typicalMs', () => {
    expect(() => commitDelays({ eventsPerSecond: 1, lateCommits: { share: 2, maxMs: 1_000 } }, 1)).toThrow(SimulatorUsageError);
    expect(() => commitDelays({ eventsPerSecond: 1, lateCommits: { share: 0.1, maxMs: 5 } }, 1)).toThrow(/maxMs/);
  });
});
