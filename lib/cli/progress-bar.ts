import type { StreamKey } from '../core/cursor/cursor-store.js';

/** How often a bar is redrawn on a terminal: smooth enough to see it move, rare enough to cost nothing. */
export const PROGRESS_REDRAW_MS = 250;

/** Where a replay stands, as the progress output shows it. */
export interface ProgressSnapshot {
  /** 0..1 of the range's time covered, over every realm and stream. */
  fraction: number;
  /** Events delivered by this run. */
  events: number;
  /** Events per second of this run so far. */
  rate: number;
  /** Milliseconds left at the pace of this run, or undefined until there is a pace to go by. */
  etaMs: number | undefined;
  /** Milliseconds since this run started. */
  elapsedMs: number;
}

/**
 * Tracks how much of a replay's time range each stream has covered. The ETA comes from time
 * covered, not from events: the number of events ahead is unknown, the time ahead is not.
 */
export class ReplayProgress {
  private readonly covered = new Map<StreamKey, number>();
  private startFraction: number | undefined;
  private events = 0;

  constructor(
    private readonly range: { from: number; to: number },
    private readonly keys: readonly StreamKey[],
    private readonly startedAt: number,
  ) {}

  /** A stream's position moved to `time` (epoch ms) after `events` more were delivered. */
  update(key: StreamKey, time: number, events: number): void {
    this.covered.set(key, Math.max(this.covered.get(key) ?? this.range.from, time));
    this.events += events;
  }

  /** Marks a stream as read to the range's end (its position need not move when nothing is left). */
  finish(key: StreamKey): void {
    this.covered.set(key, this.range.to);
  }

  /** The snapshot at `now`; the first call fixes the fraction this run started from. */
  snapshot(now: number): ProgressSnapshot {
    const span = Math.max(1, this.range.to - this.range.from);
    const total = this.keys.reduce((sum, key) => {
      const time = Math.min(this.range.to, Math.max(this.range.from, this.covered.get(key) ?? this.range.from));
      return sum + (time - this.range.from) / span;
    }, 0);
    const fraction = this.keys.length === 0 ? 1 : Math.min(1, total / this.keys.length);
    this.startFraction ??= fraction;
    const elapsedMs = Math.max(0, now - this.startedAt);
    const done = fraction - this.startFraction;
    const etaMs = fraction >= 1 ? 0 : done > 0 && elapsedMs > 0 ? (elapsedMs * (1 - fraction)) / done : undefined;
    return { fraction, events: this.events, rate: elapsedMs > 0 ? (this.events * 1000) / elapsedMs : 0, etaMs, elapsedMs };
  }
}

/** `1h02m`, `3m05s`, `42s`: short enough for a progress line. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function numbers(snapshot: ProgressSnapshot): string {
  const percent = `${(snapshot.fraction * 100).toFixed(1)}%`;
  const eta = snapshot.etaMs === undefined ? '?' : formatDuration(snapshot.etaMs);
  return `${percent.padStart(6)}  ${snapshot.events} events  ${snapshot.rate.toFixed(0)}/s  ETA ${eta}`;
}

/** One terminal line: `[#########.........]  45.0%  1200 events  300/s  ETA 12s`. */
export function renderProgressBar(snapshot: ProgressSnapshot, width = 30): string {
  const filled = Math.round(snapshot.fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${numbers(snapshot)}`;
}

/** The periodic line for a pipe or a log file: `progress  45.0%  1200 events  300/s  ETA 12s`. */
export function renderProgressLine(snapshot: ProgressSnapshot): string {
  return `progress ${numbers(snapshot)}`;
}
