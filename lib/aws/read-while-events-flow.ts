import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';

/** Why an invocation stopped reading. */
export type ReadingEnd =
  /** The event named no schedule: one read, as an invocation by hand. */
  | 'one-read'
  /** A read found no event: an idle tenant pays one short invocation per scheduled run. */
  | 'quiet'
  /** A read did not reach the window's end (budget, MPAS failure, lost lease, stop): its status says why. */
  | 'unfinished'
  /** Another invocation held the lease at a later read (this one's had run out): it reads on, this one leaves. */
  | 'handed-over'
  /** No time for another read before the next scheduled invocation (or the budget). */
  | 'next-invocation'
  /** Stopped while waiting between two reads. */
  | 'stopped';

/** A poller invocation's outcome: the last read's, with every read's events summed. */
export type InvocationOutcome = PollOutcome & {
  /** Reads of the tenant this invocation made (each one a {@link pollTenant}). */
  reads: number;
  ended: ReadingEnd;
};

/** What {@link readWhileEventsFlow} works with. */
export interface RereadOptions {
  /** One read of the tenant: takes the lease (or keeps it), starts no page after `deadline`. */
  read: (deadline: number) => Promise<PollOutcome>;
  clock: Clock;
  sleep: Sleep;
  /** The pause between the end of a read and the start of the next (POLL_INTERVAL_MS). */
  intervalMs: number;
  /** Epoch ms after which neither a read nor a page starts. */
  readUntil: number;
  /** Aborting ends the pause between two reads and the invocation with it. */
  signal?: AbortSignal;
}

/**
 * Reads the tenant again every `intervalMs` while events flow, until `readUntil`. A read that
 * finds nothing ends it: an idle tenant pays one short invocation per scheduled run, a busy one
 * gets its events a pause and the settle window after their time. Every read commits what it
 * enqueued before it ends, so a stop in a pause loses nothing.
 */
export async function readWhileEventsFlow(options: RereadOptions): Promise<InvocationOutcome> {
  const { clock, intervalMs, readUntil } = options;
  let reads = 0;
  let events = 0;
  let previous: PollOutcome | undefined;
  for (;;) {
    const outcome = await options.read(readUntil);
    reads += 1;
    if (outcome.status === 'lease-busy' && previous !== undefined) return summed(previous, events, reads - 1, 'handed-over');
    if (!('events' in outcome)) return { ...outcome, reads, ended: 'unfinished' };
    events += outcome.events;
    if (outcome.status !== 'complete') return summed(outcome, events, reads, 'unfinished');
    if (outcome.events === 0) return summed(outcome, events, reads, 'quiet');
    if (clock.now() + intervalMs >= readUntil) return summed(outcome, events, reads, 'next-invocation');
    previous = outcome;
    await options.sleep(intervalMs, options.signal);
    if (options.signal?.aborted) return summed(outcome, events, reads, 'stopped');
  }
}

function summed(outcome: PollOutcome, events: number, reads: number, ended: ReadingEnd): InvocationOutcome {
  return 'events' in outcome ? { ...outcome, events, reads, ended } : { ...outcome, reads, ended };
}
