/** One point of the status page's chart: a moment on the sampling grid. */
export interface HistoryPoint {
  /** Epoch ms of the grid line. */
  at: number;
  /** Events delivered since the point before, per second (summed over streams). */
  ratePerSecond: number;
  /** The highest stream lag at that moment; null while no stream was delivered up to any moment yet. */
  lagSeconds: number | null;
}

/** What the history reads of the run at a grid line. */
export interface HistoryReading {
  /** Events delivered since `start`, all streams. */
  deliveredTotal: number;
  lagSeconds: number | null;
}

/**
 * The last hour of delivery rate and lag, one point every `intervalMs` on a fixed grid, at most
 * `capacity` points (older ones fall off). Points are taken lazily: `advance(now, read)` adds one
 * for every grid line passed since the last call, reading the run as it is. Called before each
 * change of the run and before each read, a point holds exactly what was true at its grid line,
 * with no timer (so a test drives it with a manual clock).
 */
export class RateLagHistory {
  private readonly points: HistoryPoint[] = [];
  private nextAt: number;
  private lastAt: number;
  private lastTotal = 0;

  constructor(
    start: number,
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {
    this.lastAt = start;
    this.nextAt = Math.floor(start / intervalMs) * intervalMs + intervalMs;
  }

  /** Adds the points of the grid lines up to `now`; `read(at)` tells the run's state, valid for every line passed. */
  advance(now: number, read: (at: number) => HistoryReading): void {
    if (now < this.nextAt) return;
    // After a long pause (a suspended machine) only the last `capacity` lines can be kept.
    const lastLine = Math.floor(now / this.intervalMs) * this.intervalMs;
    this.nextAt = Math.max(this.nextAt, lastLine - (this.capacity - 1) * this.intervalMs);
    for (; this.nextAt <= now; this.nextAt += this.intervalMs) {
      const reading = read(this.nextAt);
      // The first point covers the part of an interval since the start.
      const rate = (reading.deliveredTotal - this.lastTotal) / ((this.nextAt - this.lastAt) / 1000);
      this.points.push({ at: this.nextAt, ratePerSecond: rate, lagSeconds: reading.lagSeconds });
      this.lastTotal = reading.deliveredTotal;
      this.lastAt = this.nextAt;
    }
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
  }

  /** The interval in progress, from the last grid line (or the start) to `now`, as a point that is not kept: the chart ends at now. */
  current(now: number, reading: HistoryReading): HistoryPoint {
    const seconds = Math.max(1, now - this.lastAt) / 1000;
    return { at: now, ratePerSecond: (reading.deliveredTotal - this.lastTotal) / seconds, lagSeconds: reading.lagSeconds };
  }

  /** The points kept, oldest first (a copy). */
  snapshot(): HistoryPoint[] {
    return this.points.map((point) => ({ ...point }));
  }
}
