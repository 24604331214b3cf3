import type { LakeCompaction } from '../sinks/security-lake/lake-compactions.js';
import type { CompactionReport } from '../sinks/security-lake/lake-compactor.js';
import type { Sleep } from '../core/time/sleep.js';

/** What the local runner is told of each compaction run. */
export interface LakeCompactionObserver {
  /** A run finished; `final` on the one at the end of the process. */
  compacted?(compaction: LakeCompaction, report: CompactionReport, final: boolean): void;
  /** A run failed: what it left (staged objects, a manifest) is taken up by the next one. */
  failed?(compaction: LakeCompaction, error: unknown, final: boolean): void;
}

/** Options of {@link startLakeCompactionLoop}. */
export interface LakeCompactionLoopOptions {
  readonly compactions: readonly LakeCompaction[];
  readonly sleep: Sleep;
  readonly observer?: LakeCompactionObserver;
}

/** The running loop. */
export interface LakeCompactionLoop {
  /**
   * Stops the timers, waits for a run in progress, then (when `final`: a clean end, or the end
   * of `run --once`) compacts everything staged once more, so what this process delivered is in
   * the lake when it exits; then closes the clients.
   */
  finish(final: boolean): Promise<void>;
}

/**
 * The compactor as the Lambda schedule runs it on AWS, in the local process: each staging area
 * is compacted every SECURITY_LAKE_FILE_INTERVAL_MINUTES, one run at a time (a run waits for the
 * previous one to end, then the whole interval). A failed run is reported and the loop goes on:
 * the compactor's manifest makes the next run finish what it began.
 */
export function startLakeCompactionLoop(options: LakeCompactionLoopOptions): LakeCompactionLoop {
  const stop = new AbortController();
  const runOnce = async (compaction: LakeCompaction, final: boolean): Promise<void> => {
    try {
      options.observer?.compacted?.(compaction, await compaction.compact(), final);
    } catch (error) {
      options.observer?.failed?.(compaction, error, final);
    }
  };
  const loops = options.compactions.map(async (compaction) => {
    for (;;) {
      await options.sleep(compaction.intervalMs, stop.signal);
      if (stop.signal.aborted) return;
      await runOnce(compaction, false);
    }
  });
  return {
    async finish(final) {
      stop.abort();
      await Promise.all(loops);
      try {
        if (final) for (const compaction of options.compactions) await runOnce(compaction, true);
      } finally {
        for (const compaction of options.compactions) compaction.close();
      }
    },
  };
}
