import { describe, expect, it } from 'vitest';
import { formatDuration, renderProgressBar, renderProgressLine, ReplayProgress } from '../../../lib/cli/progress-bar.js';

describe('ReplayProgress', () => {
  it('measures the fraction of the range covered over every stream, and the ETA from this run\'s pace', () => {
    const progress = new ReplayProgress({ from: 0, to: 1000 }, ['a#user', 'a#admin'], 10_000);
    progress.update('a#user', 500, 0);
    expect(progress.snapshot(10_000)).toMatchObject({ fraction: 0.25, events: 0, etaMs: undefined });
    progress.update('a#user', 1000, 300);
    progress.update('a#admin', 500, 100);
    const snapshot = progress.snapshot(12_000);
    expect(snapshot.fraction).toBe(0.75);
    expect(snapshot.rate).toBe(200);
    // 0.5 of the range took 2 s, so the 0.25 left takes 1 s.
    expect(snapshot.etaMs).toBe(1000);
  });

  it('never goes back nor past the range, and finish() completes a stream that had nothing left', () => {
    const progress = new ReplayProgress({ from: 100, to: 200 }, ['a#user'], 0);
    progress.update('a#user', 180, 5);
    progress.update('a#user', 150, 0);
    expect(progress.snapshot(1000).fraction).toBeCloseTo(0.8);
    progress.update('a#user', 500, 0);
    expect(progress.snapshot(1000).fraction).toBe(1);
    const idle = new ReplayProgress({ from: 100, to: 200 }, ['a#admin'], 0);
    idle.finish('a#admin');
    expect(idle.snapshot(5).etaMs).toBe(0);
  });
});

describe('renderProgressBar', () => {
  it('draws the bar to scale with percent, events, rate and ETA', () => {
    const line = renderProgressBar({ fraction: 0.5, events: 1200, rate: 300.4, etaMs: 65_000, elapsedMs: 4000 }, 10);
    expect(line).toBe('[#####.....]  50.0%  1200 events  300/s  ETA 1m05s');
    expect(renderProgressLine({ fraction: 0, events: 0, rate: 0, etaMs: undefined, elapsedMs: 0 })).toBe('progress   0.0%  0 events  0/s  ETA ?');
  });

  it('formats durations in seconds, minutes and hours', () => {
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });
});
