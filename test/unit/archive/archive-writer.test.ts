import { describe, expect, it } from 'vitest';
import { ArchiveWriter } from '../../../lib/archive/archive-writer.js';
import type { ArchiveStore, ArchiveUnit } from '../../../lib/archive/archive-store.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { batchOf, userEvent } from '../../support/route-fixtures.js';

const redact = createRedactor({ mode: 'mask', userFields: ['ipAddress', 'details.username'], adminFields: [] });
const NOW = Date.UTC(2026, 10, 22);
const DAY = 86_400_000;

/** A store that does what the test tells it: hang, fail or take. */
class ControlledStore implements ArchiveStore {
  readonly units: ArchiveUnit[] = [];
  readonly cutoffs: string[] = [];
  mode: 'take' | 'fail' | 'hang' = 'take';
  async write(units: readonly ArchiveUnit[]): Promise<void> {
    if (this.mode === 'hang') return new Promise(() => {});
    if (this.mode === 'fail') throw new Error('disk full');
    this.units.push(...units);
  }
  async deleteOlderThan(cutoff: string): Promise<number> {
    this.cutoffs.push(cutoff);
    return 2;
  }
  async close(): Promise<void> {}
}

function batch(prefix: string, count: number) {
  return batchOf('user', Array.from({ length: count }, (_, index) => userEvent(`${prefix}${index}`, 'LOGIN', NOW - index)));
}

function counters() {
  const counts = { archived: 0, dropped: 0, failed: 0, expired: 0 };
  return {
    counts,
    observer: {
      archived: (n: number) => (counts.archived += n),
      dropped: (n: number) => (counts.dropped += n),
      failed: (n: number) => (counts.failed += n),
      expired: (n: number) => (counts.expired += n),
    },
  };
}

describe('ArchiveWriter', () => {
  it('writes offered batches in the background, redacted, and applies the retention', async () => {
    const store = new ControlledStore();
    const { counts, observer } = counters();
    const writer = new ArchiveWriter({ store, redact, maxRecords: 100, retentionDays: 30, clock: new ManualClock(NOW), observer });
    writer.offer(batch('a', 3));
    writer.offer(batch('b', 2));
    expect(store.units).toEqual([]);
    await writer.flush();
    expect(store.units.flatMap(({ records }) => records)).toHaveLength(5);
    expect(store.units.map(({ id }) => id)).toEqual([batch('a', 3).batchId, batch('b', 2).batchId]);
    expect(store.units[0]!.records[0]!.params['duser']).toBe('<redacted>');
    expect(store.cutoffs).toEqual([new Date(NOW - 30 * DAY).toISOString()]);
    expect(counts).toEqual({ archived: 5, dropped: 0, failed: 0, expired: 2 });
  });

  it('returns at once while the store hangs, and drops and counts what no longer fits', async () => {
    const store = new ControlledStore();
    store.mode = 'hang';
    const { counts, observer } = counters();
    const writer = new ArchiveWriter({ store, redact, maxRecords: 10, retentionDays: 30, clock: new ManualClock(NOW), observer });
    for (let index = 0; index < 5; index++) writer.offer(batch(`x${index}`, 4));
    expect(writer.pending).toBe(8);
    expect(counts.dropped).toBe(12);
    // A bounded flush (as the Lambda gives it) comes back although the store never answers.
    await writer.flush(20);
    expect(writer.pending).toBe(8);
  });

  it('counts a failed write and goes on with the next batches', async () => {
    const store = new ControlledStore();
    store.mode = 'fail';
    const { counts, observer } = counters();
    const writer = new ArchiveWriter({ store, redact, maxRecords: 100, retentionDays: 30, clock: new ManualClock(NOW), observer });
    writer.offer(batch('f', 3));
    await writer.flush();
    store.mode = 'take';
    writer.offer(batch('g', 2));
    await writer.flush();
    expect(counts).toMatchObject({ failed: 3, archived: 2 });
    expect(writer.pending).toBe(0);
  });

  it('leaves expiry to the store when no retention is given (an S3 lifecycle rule)', async () => {
    const store = new ControlledStore();
    const writer = new ArchiveWriter({ store, redact, maxRecords: 100, clock: new ManualClock(NOW) });
    writer.offer(batch('a', 2));
    await writer.flush();
    expect(store.units).toHaveLength(1);
    expect(store.cutoffs).toEqual([]);
  });

  it('runs the retention once a day, not at every write', async () => {
    const store = new ControlledStore();
    const clock = new ManualClock(NOW);
    const writer = new ArchiveWriter({ store, redact, maxRecords: 100, retentionDays: 7, clock });
    writer.offer(batch('a', 1));
    await writer.flush();
    clock.advance(DAY - 1);
    writer.offer(batch('b', 1));
    await writer.flush();
    clock.advance(1);
    writer.offer(batch('c', 1));
    await writer.flush();
    expect(store.cutoffs).toEqual([new Date(NOW - 7 * DAY).toISOString(), new Date(NOW + DAY - 7 * DAY).toISOString()]);
  });
});
