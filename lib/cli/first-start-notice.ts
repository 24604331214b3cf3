import type { AcquiredCursor, StreamKey } from '../core/cursor/cursor-store.js';

/**
 * What `run` tells when it starts streams that have no cursor yet at MPAS_START_FROM "now": the
 * first poll reads nothing (its window is empty) and no later one reads anything before that
 * start, which a first `run --once` by hand would otherwise show as a silent success.
 */
export class FirstStartNotice {
  private fresh: readonly StreamKey[] = [];
  /** The first position committed in each fresh stream: where it was started. */
  private readonly starts = new Map<StreamKey, number>();
  private logged = false;

  constructor(
    private readonly startFrom: 'now' | number,
    private readonly keys: readonly StreamKey[],
  ) {}

  /** The live cursor's positions when the run took its lock. */
  started(positions: AcquiredCursor['positions']): void {
    if (this.startFrom === 'now') this.fresh = this.keys.filter((key) => positions[key] === undefined);
  }

  /** A position was committed: the first one of a stream without a cursor is its start. */
  committed(key: StreamKey, time: number): void {
    if (this.fresh.includes(key) && !this.starts.has(key)) this.starts.set(key, time);
  }

  /** The fields of the log line, once, after the poll that started the streams. */
  takeStarted(): { streams: StreamKey[]; startedAt: string; readBefore: 'nothing' } | undefined {
    if (this.logged || this.starts.size === 0) return undefined;
    this.logged = true;
    return { streams: [...this.starts.keys()], startedAt: new Date(this.latestStart()).toISOString(), readBefore: 'nothing' };
  }

  /** The same in words with what to do about it, or undefined when no stream was started at "now". */
  sentence(): string | undefined {
    if (this.starts.size === 0) return undefined;
    const latest = this.latestStart();
    const spread = latest - Math.min(...this.starts.values());
    // The latest start, so no stream is left with a gap; the others get `spread` ms twice.
    const twice = spread > 0 ? ` (the streams were started ${spread} ms apart: up to that much of the first ones is sent twice)` : '';
    return [
      `first start: ${[...this.starts.keys()].join(', ')} had no cursor and MPAS_START_FROM is "now", so each cursor was started at now ` +
        `minus the settle window, ${new Date(latest).toISOString()}: nothing before it is read, by this run or a later one ` +
        '(MPAS_START_FROM only applies to a stream without a cursor).',
      `To deliver the events before it: mpas-log-sync backfill --from DATE --to ${new Date(latest - 1).toISOString()}${twice}.`,
      'On a new state directory, MPAS_START_FROM=DATE or backfill --set-live-cursor before the first run does it in one go.',
    ].join('\n');
  }

  private latestStart(): number {
    return Math.max(...this.starts.values());
  }
}
