import type { Redactor } from '../core/pipeline/redactor.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import type { Clock } from '../core/time/clock.js';
import { archiveRecordsOf } from './archive-record.js';
import type { ArchiveStore, ArchiveUnit } from './archive-store.js';

/** What the archive writer reports, for metrics and alarms. All optional. */
export interface ArchiveObserver {
  archived?(count: number): void;
  /** Records left out because the buffer was full (the store too slow or down). */
  dropped?(count: number): void;
  /** Records the store failed to take (they are not retried: delivery is what must not fail). */
  failed?(count: number, error: unknown): void;
  /** Records deleted by the retention. */
  expired?(count: number): void;
}

/** Options of {@link ArchiveWriter}. */
export interface ArchiveWriterOptions {
  store: ArchiveStore;
  /** The redaction applied before anything is stored (the top-level one). */
  redact: Redactor;
  /** Records held at most while the store catches up; beyond, new records are dropped and counted. */
  maxRecords: number;
  /**
   * Records older than this many days are deleted, at the first write and then once a day.
   * Undefined: the store's own expiry does it (an S3 lifecycle rule).
   */
  retentionDays?: number;
  clock: Clock;
  observer?: ArchiveObserver;
}

const DAY_MS = 86_400_000;

/**
 * The archive's side door: `offer` takes a batch synchronously and returns at once, whatever the
 * store does; a background loop writes what is buffered. When the buffer is full the new records
 * are dropped and counted, so a slow or broken store costs archive records, never a delivery.
 */
export class ArchiveWriter {
  private buffer: ArchiveUnit[] = [];
  private buffered = 0;
  private running: Promise<void> | undefined;
  private nextRetentionAt = 0;

  constructor(private readonly options: ArchiveWriterOptions) {}

  /** Buffers the batch's records (redacted) for the background writer. Never throws, never waits. */
  offer(batch: EventBatch): void {
    let records;
    try {
      records = archiveRecordsOf(batch, this.options.redact);
    } catch (error) {
      this.options.observer?.failed?.(batch.events.length, error);
      return;
    }
    if (records.length === 0) return;
    if (this.buffered + records.length > this.options.maxRecords) {
      this.options.observer?.dropped?.(records.length);
      return;
    }
    this.buffer.push({ id: batch.batchId, records });
    this.buffered += records.length;
    this.kick();
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      // An offer that came while the loop was finishing found it still running.
      if (this.buffer.length > 0) this.kick();
    });
  }

  /** Records waiting for the store. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Resolves when the buffer is empty, or after `timeoutMs` (a real timer: a Lambda invocation
   * gives the archive what is left of its time before it returns). Never rejects.
   */
  async flush(timeoutMs?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = timeoutMs === undefined ? undefined : new Promise<'expired'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'expired')));
    try {
      while (this.running) {
        if ((await (expired ? Promise.race([this.running, expired]) : this.running)) === 'expired') return;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Flushes (bounded by `timeoutMs`) and closes the store. */
  async close(timeoutMs?: number): Promise<void> {
    await this.flush(timeoutMs);
    await this.options.store.close().catch((error: unknown) => this.options.observer?.failed?.(0, error));
  }

  private async drain(): Promise<void> {
    // Let the caller's delivery start before the store is touched.
    await Promise.resolve();
    while (this.buffer.length > 0) {
      const units = this.buffer;
      this.buffer = [];
      const count = units.reduce((sum, { records }) => sum + records.length, 0);
      try {
        await this.options.store.write(units);
        this.options.observer?.archived?.(count);
      } catch (error) {
        this.options.observer?.failed?.(count, error);
      } finally {
        this.buffered -= count;
      }
      await this.applyRetention();
    }
  }

  private async applyRetention(): Promise<void> {
    const now = this.options.clock.now();
    if (this.options.retentionDays === undefined || now < this.nextRetentionAt) return;
    this.nextRetentionAt = now + DAY_MS;
    try {
      const expired = await this.options.store.deleteOlderThan(new Date(now - this.options.retentionDays * DAY_MS).toISOString());
      if (expired > 0) this.options.observer?.expired?.(expired);
    } catch (error) {
      this.options.observer?.failed?.(0, error);
    }
  }
}
