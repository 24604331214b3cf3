import { describe, expect, it } from 'vitest';
import { startLakeCompactionLoop } from '../../../lib/local/lake-compaction-loop.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import type { LakeCompaction } from '../../../lib/sinks/security-lake/lake-compactions.js';
import type { CompactionReport } from '../../../lib/sinks/security-lake/lake-compactor.js';

const EMPTY: CompactionReport = { filesWritten: 0, eventsWritten: 0, stagedConsumed: 0, duplicatesDropped: 0, manifestsResumed: 0, tombstonesExpired: 0, bytesWritten: 0 };

/** A sleep the test ends by hand: each call waits until {@link wake} or its signal's abort. */
function handSleep(): { sleep: Sleep; waits: number[]; wake: () => void; waiting: () => number } {
  const waits: number[] = [];
  const pending: Array<() => void> = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      waits.push(ms);
      if (signal?.aborted) return resolve();
      pending.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  return { sleep, waits, wake: () => pending.splice(0).forEach((resolve) => resolve()), waiting: () => pending.length };
}

/** A compaction that records its runs; `fail` makes the next run throw. */
function recordingCompaction(route: string, intervalMs: number) {
  const runs: number[] = [];
  const state = { fail: false, closed: 0 };
  const compaction: LakeCompaction = {
    route,
    intervalMs,
    staging: `s3://staging/${route}/`,
    lake: 's3://lake/ext/',
    compact: async () => {
      runs.push(runs.length + 1);
      if (state.fail) {
        state.fail = false;
        throw new Error('S3 said no');
      }
      return { ...EMPTY, filesWritten: runs.length };
    },
    close: () => {
      state.closed += 1;
    },
  };
  return { compaction, runs, state };
}

/** Waits until `condition` holds, a microtask turn at a time (the loop's steps are all promise callbacks). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn += 1) await Promise.resolve();
  expect(condition()).toBe(true);
}

describe('the local lake compaction loop', () => {
  it('compacts every interval, goes on after a failed run, and compacts once more at a clean end', async () => {
    const { sleep, waits, wake, waiting } = handSleep();
    const { compaction, runs, state } = recordingCompaction('default', 300_000);
    const reports: Array<[string, number, boolean]> = [];
    const failures: Array<[string, string, boolean]> = [];
    const loop = startLakeCompactionLoop({
      compactions: [compaction],
      sleep,
      observer: {
        compacted: (done, report, final) => reports.push([done.route, report.filesWritten, final]),
        failed: (done, error, final) => failures.push([done.route, (error as Error).message, final]),
      },
    });
    await until(() => waiting() === 1);
    expect(runs).toEqual([]);
    wake();
    await until(() => runs.length === 1 && waiting() === 1);
    state.fail = true;
    wake();
    await until(() => runs.length === 2 && waiting() === 1);
    expect(waits).toEqual([300_000, 300_000, 300_000]);

    await loop.finish(true);
    expect(runs).toEqual([1, 2, 3]);
    expect(reports).toEqual([['default', 1, false], ['default', 3, true]]);
    expect(failures).toEqual([['default', 'S3 said no', false]]);
    expect(state.closed).toBe(1);
  });

  it('runs no final compaction after a run that did not end cleanly, and still closes the clients', async () => {
    const { sleep } = handSleep();
    const first = recordingCompaction('default', 300_000);
    const second = recordingCompaction('audit', 900_000);
    const loop = startLakeCompactionLoop({ compactions: [first.compaction, second.compaction], sleep });
    await loop.finish(false);
    expect([first.runs, second.runs]).toEqual([[], []]);
    expect([first.state.closed, second.state.closed]).toEqual([1, 1]);
  });
});
