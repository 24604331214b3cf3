import type { AcquiredCursor, StreamKey } from '../core/cursor/cursor-store.js';
import type { Clock } from '../core/time/clock.js';
import { ReplayProgress, renderProgressBar } from './progress-bar.js';

/** Erases the line the bar is drawn on, so that a log line can take its place. */
const CLEAR_LINE = '\r\x1b[K';

/** Options of {@link CatchUpProgress}. */
export interface CatchUpProgressOptions {
  /** The streams `run` reads. */
  keys: readonly StreamKey[];
  settleMs: number;
  /** Where a stream without a position starts (MPAS_START_FROM). */
  startFrom: 'now' | number;
  pollIntervalMs: number;
  clock: Clock;
  /** Writes to the terminal without a line break. */
  draw: (text: string) => void;
}

/**
 * The progress bar of `run` on a terminal: what `backfill` shows (events, rate, ETA), for a
 * poll that starts far behind now minus settle, the catch-up after a first start from a date or
 * a long stop. A poll that is only as far behind as the polls' own pace never gets a bar: more
 * than twice the poll interval, and at least a minute. The bar shows once the timer ticks
 * (`tick`), so a poll that ends before the first tick draws nothing either.
 */
export class CatchUpProgress {
  /** Where each stream was read up to, as far as this run knows. */
  private readonly positions = new Map<StreamKey, number>();
  private progress: ReplayProgress | undefined;
  private drawn = false;

  constructor(private readonly options: CatchUpProgressOptions) {}

  /** The live cursor's positions when the run took its lock. */
  started(positions: AcquiredCursor['positions']): void {
    for (const key of this.options.keys) {
      const position = positions[key];
      if (position) this.positions.set(key, position.time);
    }
  }

  /** A poll begins: it gets a bar when it starts far behind now minus settle. */
  pollStarting(): void {
    const now = this.options.clock.now();
    const to = now - this.options.settleMs;
    const known = this.options.keys.map((key) => this.positions.get(key));
    const starts = known.map((time) => time ?? (this.options.startFrom === 'now' ? undefined : this.options.startFrom)).filter((time) => time !== undefined);
    const from = starts.length === 0 ? undefined : Math.min(...starts);
    this.progress = undefined;
    this.drawn = false;
    if (from === undefined || to - from <= Math.max(60_000, 2 * this.options.pollIntervalMs)) return;
    this.progress = new ReplayProgress({ from, to }, this.options.keys, now);
    for (const key of this.options.keys) {
      const time = this.positions.get(key);
      if (time !== undefined) this.progress.update(key, time, 0);
    }
    this.progress.snapshot(now);
  }

  /** `events` were delivered and the stream's position committed at `time`. */
  committed(key: StreamKey, time: number, events: number): void {
    this.positions.set(key, time);
    this.progress?.update(key, time, events);
  }

  /** Redraws the bar in place (the timer's tick). */
  tick(): void {
    if (!this.progress) return;
    this.options.draw(`\r${renderProgressBar(this.progress.snapshot(this.options.clock.now()))}`);
    this.drawn = true;
  }

  /** The poll ended: a bar that was drawn is left on its line with its last figures (100% when every stream reached the end). */
  pollFinished(complete: boolean): void {
    const progress = this.progress;
    this.progress = undefined;
    if (!progress || !this.drawn) return;
    if (complete) for (const key of this.options.keys) progress.finish(key);
    this.options.draw(`\r${renderProgressBar(progress.snapshot(this.options.clock.now()))}\n`);
    this.drawn = false;
  }

  /** Writes a log line where the bar is, and draws the bar again below it. */
  aroundLine(writeLine: () => void): void {
    if (!this.drawn) return writeLine();
    this.options.draw(CLEAR_LINE);
    writeLine();
    this.tick();
  }
}
