import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../../../lib/core/poller/delivery-records.js';
import { inYoungRange, youngRanges } from '../../../../lib/core/poller/delivery-records.js';

const record = (seq: number, from: number, to: number): DeliveryRecord => ({ stream: 'acme#user', seq, from, to, keys: [], fence: 1 });

describe('youngRanges', () => {
  it('covers the look-back cursor up to the last record when the records follow on from it', () => {
    const ranges = youngRanges(100, 5, [record(5, 120, 200), record(6, 200, 300)]);
    expect(ranges).toEqual([{ from: 100, to: 200 }, { from: 200, to: 300 }]);
    expect(inYoungRange(ranges, 100)).toBe(true);
    expect(inYoungRange(ranges, 250)).toBe(true);
    expect(inYoungRange(ranges, 301)).toBe(false);
  });

  it('skips what a chunk without a record passed (old when read, or its record expired), and the millisecond it ended on', () => {
    // Chunk 5 has no record: it passed 100..150; chunk 6 starts at 150, chunk 5's last millisecond.
    const ranges = youngRanges(100, 5, [record(6, 150, 300), record(8, 350, 400)]);
    expect(ranges).toEqual([{ from: 151, to: 300 }, { from: 351, to: 400 }]);
    expect(inYoungRange(ranges, 120)).toBe(false);
    expect(inYoungRange(ranges, 150)).toBe(false);
    expect(inYoungRange(ranges, 151)).toBe(true);
    expect(inYoungRange(ranges, 320)).toBe(false);
  });

  it('has nothing young without records', () => {
    expect(youngRanges(100, 3, [])).toEqual([]);
  });
});
