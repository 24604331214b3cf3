import { describe, expect, it } from 'vitest';
import { RateLagHistory } from '../../../lib/local/status-page-history.js';

// Three seconds past a grid line, so the first point covers a part of an interval.
const START = Date.UTC(2026, 10, 22, 8, 0, 3);

describe('RateLagHistory', () => {
  it('takes one point per grid line passed, with the rate since the point before and the lag read at that line', () => {
    const history = new RateLagHistory(START, 10_000, 360);
    const reads: number[] = [];
    let delivered = 0;
    const read = (at: number) => (reads.push(at), { deliveredTotal: delivered, lagSeconds: (at - START) / 1000 });

    history.advance(START + 6_000, read);
    expect(history.snapshot()).toEqual([]);
    delivered = 70;
    // Lines at +7 s and +17 s: the first covers the 7 s since the start, the second the 10 s after it.
    history.advance(START + 20_000, read);
    expect(history.snapshot()).toEqual([
      { at: START + 7_000, ratePerSecond: 10, lagSeconds: 7 },
      { at: START + 17_000, ratePerSecond: 0, lagSeconds: 17 },
    ]);
    delivered = 120;
    history.advance(START + 27_000, read);
    expect(history.snapshot().at(-1)).toEqual({ at: START + 27_000, ratePerSecond: 5, lagSeconds: 27 });
    expect(reads).toEqual([START + 7_000, START + 17_000, START + 27_000]);
  });

  it('keeps the newest `capacity` points, and after a long pause only reads the lines it keeps', () => {
    const history = new RateLagHistory(START, 10_000, 3);
    const reads: number[] = [];
    const read = (at: number) => (reads.push(at), { deliveredTotal: 0, lagSeconds: null });
    history.advance(START + 50_000, read);
    expect(history.snapshot().map(({ at }) => at - START)).toEqual([27_000, 37_000, 47_000]);
    history.advance(START + 10_000_000, read);
    expect(history.snapshot().map(({ at }) => at - START)).toEqual([9_977_000, 9_987_000, 9_997_000]);
    expect(reads).toHaveLength(6);
  });
});
