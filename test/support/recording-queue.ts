import { eventKey } from '../../lib/core/events/event-key.js';
import type { EventBatch } from '../../lib/core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../lib/core/queue/event-queue.js';

/** An `EventQueue` that keeps what it is given, for tests of the poller alone. */
export class RecordingQueue implements EventQueue {
  readonly batches: EventBatch[] = [];

  async enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    // What is never released was never enqueued, as far as anyone outside the poller can tell.
    if (options?.after) await options.after;
    this.batches.push(...batches);
  }

  /** Keys of every enqueued event, in order, duplicates included. */
  keys(): string[] {
    return this.batches.flatMap((batch) => batch.events.map((event) => eventKey(event)));
  }
}
