import type { AcquiredCursor } from '../cursor/cursor-store.js';
import { LeaseHeldError, LeaseLostError } from '../cursor/errors.js';
import { MpasError } from '../../sources/mpas/errors.js';
import type { Stream } from '../events/event-schemas.js';
import { CommitPipeline } from './commit-pipeline.js';
import { readFirstPassTurn } from './first-pass-turn.js';
import { lookBack } from './look-back-turn.js';
import { silentPollObserver } from './poll-observer.js';
import type { PollObserver } from './poll-observer.js';
import type { PollTenantOptions } from './poll-tenant-options.js';
import { stopAsked } from './stream-reading.js';

export type { PollTenantOptions } from './poll-tenant-options.js';

/** A stream that could not be read (MPAS errors); its position did not move. */
export interface StreamFailure {
  realm: string;
  stream: Stream;
  error: Error;
}

/** How a poll ended. */
export type PollOutcome =
  | { status: 'lease-busy'; holder: string }
  | { status: 'lease-lost'; events: number }
  | {
      /**
       * `complete`: every stream read up to `now - settle`; `failed`: every stream failed;
       * `partial`: some failed, the others were read up to `now - settle`; otherwise the budget
       * ran out or a stop was asked for (whatever failed is in `failures` then too).
       */
      status: 'complete' | 'partial' | 'failed' | 'budget-spent' | 'stopped';
      events: number;
      failures: StreamFailure[];
    };

/**
 * One poll of a tenant (docs/design.md, "Delivery semantics"): take the lease, read every realm's streams in turns,
 * handing each chunk to the commit pipeline (enqueue, then commit its position), until every
 * stream reached `now - settle`, the deadline passed, or a stop was asked for; release the lease.
 * A lost lease stops everything at once, with nothing more committed.
 */
export async function pollTenant(options: PollTenantOptions): Promise<PollOutcome> {
  const { store, clock, observer = silentPollObserver } = options;
  let acquired: AcquiredCursor;
  try {
    acquired = await store.acquire({ owner: options.owner, now: clock.now(), leaseMs: options.leaseMs });
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    observer.leaseBusy?.(error.holder.owner);
    return { status: 'lease-busy', holder: error.holder.owner };
  }
  const pipeline = new CommitPipeline({ store, queue: options.queue, clock, leaseMs: options.leaseMs, lookback: options.lookback, observer }, acquired);
  try {
    const { unfinished, failures } = await readStreams(options, pipeline, observer);
    await pipeline.settle();
    const status = pollStatus(options.realms.length * options.streams.length, failures.length, unfinished, options.signal?.aborted ?? false);
    await store.release(pipeline.lease);
    return { status, events: pipeline.events, failures };
  } catch (error) {
    // Nothing may still be writing to the store when the lease is released (or lost).
    await pipeline.settle().catch(() => undefined);
    if (error instanceof LeaseLostError) {
      observer.leaseLost?.();
      return { status: 'lease-lost', events: pipeline.events };
    }
    await store.release(pipeline.lease).catch(() => undefined);
    throw error;
  }
}

/**
 * Reads every realm's streams a turn at a time each, so one busy stream cannot starve the others,
 * until each was read to the window's end (then looked back at) or failed, or a stop was asked
 * for. Says how many streams were left unfinished, and which failed.
 */
async function readStreams(options: PollTenantOptions, pipeline: CommitPipeline, observer: PollObserver): Promise<{ unfinished: number; failures: StreamFailure[] }> {
  const failures: StreamFailure[] = [];
  // The API mode is asked once a poll per realm: a server upgraded in place changes walks.
  const probed = new Set<string>();
  let active = options.realms.flatMap((realm) => options.streams.map((stream) => ({ realm, stream })));
  while (active.length > 0 && !stopAsked(options)) {
    const stillActive: typeof active = [];
    for (const { realm, stream } of active) {
      if (stopAsked(options)) {
        stillActive.push({ realm, stream });
        continue;
      }
      try {
        const mode = await options.source.apiMode(realm, { refresh: !probed.has(realm), ...(options.signal ? { signal: options.signal } : {}) });
        probed.add(realm);
        const done = await readFirstPassTurn(options, pipeline, realm, stream, mode);
        if (done) await lookBack(options, pipeline, realm, stream);
        else stillActive.push({ realm, stream });
      } catch (error) {
        // A stop that lands during a read aborts it: that page was neither enqueued nor
        // committed, and what was read before it is (the turn settles before it throws).
        if (options.signal?.aborted && isAbortOf(error, options.signal)) {
          stillActive.push({ realm, stream });
          continue;
        }
        // One realm's MPAS trouble (403, outage) must not hold back the others.
        if (!(error instanceof MpasError)) throw error;
        failures.push({ realm, stream, error });
        observer.streamFailed?.(realm, stream, error);
      }
    }
    active = stillActive;
  }
  return { unfinished: active.length, failures };
}

/** How a poll of `streams` streams ended, `failed` of them failing and `unfinished` not read to the window's end. */
function pollStatus(streams: number, failed: number, unfinished: number, stopped: boolean): 'complete' | 'partial' | 'failed' | 'budget-spent' | 'stopped' {
  if (failed > 0 && failed === streams) return 'failed';
  if (unfinished > 0) return stopped ? 'stopped' : 'budget-spent';
  return failed > 0 ? 'partial' : 'complete';
}

function isAbortOf(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}
