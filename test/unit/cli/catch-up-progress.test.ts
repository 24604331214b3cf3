import { describe, expect, it } from 'vitest';
import { CatchUpProgress } from '../../../lib/cli/catch-up-progress.js';
import type { CatchUpProgressOptions } from '../../../lib/cli/catch-up-progress.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;
const SETTLE = 5_000;

function rig(overrides: Partial<CatchUpProgressOptions> = {}): { progress: CatchUpProgress; clock: ManualClock; drawn: string[] } {
  const clock = new ManualClock(NOW);
  const drawn: string[] = [];
  const progress = new CatchUpProgress({
    keys: ['acme#user', 'acme#admin'],
    settleMs: SETTLE,
    startFrom: 'now',
    pollIntervalMs: 10_000,
    clock,
    draw: (text) => drawn.push(text),
    ...overrides,
  });
  return { progress, clock, drawn };
}

describe('CatchUpProgress (run on a terminal)', () => {
  it('draws what backfill draws for a poll that starts an hour behind, toward now minus settle, and leaves it at 100% once caught up', () => {
    const { progress, clock, drawn } = rig();
    const start = NOW - HOUR - SETTLE;
    progress.started({ 'acme#user': { time: start, boundary: [], updatedAt: 0 }, 'acme#admin': { time: start, boundary: [], updatedAt: 0 } });
    progress.pollStarting();
    clock.advance(10_000);
    progress.committed('acme#user', start + HOUR / 2, 600);
    progress.committed('acme#admin', start + HOUR / 2, 400);
    progress.tick();
    expect(drawn.at(-1)).toBe('\r[###############...............]  50.0%  1000 events  100/s  ETA 10s');
    progress.pollFinished(true);
    expect(drawn.at(-1)).toBe('\r[##############################] 100.0%  1000 events  100/s  ETA 0s\n');
    drawn.length = 0;
    progress.tick();
    expect(drawn).toEqual([]);
  });

  it('draws nothing for a poll only as far behind as the polls\' pace (twice the interval, at least a minute)', () => {
    const { progress, drawn } = rig({ pollIntervalMs: 60_000 });
    const start = NOW - SETTLE - 120_000;
    progress.started({ 'acme#user': { time: start, boundary: [], updatedAt: 0 }, 'acme#admin': { time: start, boundary: [], updatedAt: 0 } });
    progress.pollStarting();
    progress.tick();
    progress.pollFinished(true);
    expect(drawn).toEqual([]);
  });

  it('draws nothing for a first start at "now", and counts a first start at a date from that date', () => {
    const now = rig();
    now.progress.started({});
    now.progress.pollStarting();
    now.progress.tick();
    expect(now.drawn).toEqual([]);

    const dated = rig({ startFrom: NOW - SETTLE - 2 * HOUR });
    dated.progress.started({});
    dated.progress.pollStarting();
    dated.clock.advance(4_000);
    dated.progress.committed('acme#user', NOW - SETTLE - HOUR, 40);
    dated.progress.tick();
    expect(dated.drawn.at(-1)).toMatch(/^\r\[#{8}\.{22}\] {2}25\.0% {2}40 events {2}10\/s {2}ETA 12s$/);
  });

  it('a log line takes the bar\'s place, and the bar is drawn again below it; a poll that ends unfinished keeps its last figures', () => {
    const { progress, clock, drawn } = rig();
    progress.started({ 'acme#user': { time: NOW - SETTLE - HOUR, boundary: [], updatedAt: 0 }, 'acme#admin': { time: NOW - SETTLE - HOUR, boundary: [], updatedAt: 0 } });
    const lines: string[] = [];
    progress.aroundLine(() => lines.push('before any bar'));
    expect(drawn).toEqual([]);
    progress.pollStarting();
    clock.advance(1_000);
    progress.tick();
    progress.aroundLine(() => lines.push('{"level":"warn"}'));
    expect(drawn.slice(1)).toEqual(['\r\x1b[K', drawn[0]]);
    expect(lines).toEqual(['before any bar', '{"level":"warn"}']);
    progress.pollFinished(false);
    expect(drawn.at(-1)).toMatch(/^\r\[\.{30}\] {3}0\.0% {2}0 events {2}0\/s {2}ETA \?\n$/);
  });
});
