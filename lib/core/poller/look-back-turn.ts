import type { ApiMode, LookbackPosition, StreamPosition } from '../cursor/cursor-store.js';
import { streamKey } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';
import { batchForChunk } from './batches-for-chunk.js';
import type { CommitPipeline } from './commit-pipeline.js';
import type { KeyedEvent } from './keyed-event.js';
import { initialLookback, LookbackLedger } from './look-back.js';
import type { PollTenantOptions } from './poll-tenant-options.js';
import { readParameters, stopAsked, walkStream } from './stream-reading.js';
import type { StreamWalk } from './stream-reading.js';

/**
 * The look-back of a stream whose first pass reached the window's end: reads again what the
 * first pass read while it was young, from where the look-back left off up to the look-back
 * window behind the window's end, and delivers the events the first pass did not see (the
 * delivery records say what it saw). Each event is so read at most twice, however often the
 * poller runs. Its position is committed with late events, and once at the end of the turn.
 */
export async function lookBack(options: PollTenantOptions, pipeline: CommitPipeline, realm: string, stream: Stream): Promise<void> {
  const lookback = options.lookback;
  const main = pipeline.position(realm, stream);
  if (!lookback || lookback.windowMs <= 0 || !main?.mode) return;
  const mode = main.mode;
  const start = main.lookback ?? initialLookback(main);
  const end = Math.min(readParameters(options).windowEnd - lookback.windowMs, main.time - 1);
  if (start.time > end) return;
  const key = streamKey(realm, stream);
  const ledger = new LookbackLedger(start, await lookback.records.get(key, start.seq, main.seq ?? 0));
  const progress = new LookBackProgress(options.tenant, pipeline, realm, stream, mode, main, ledger, start);
  try {
    const walk: StreamWalk = {
      realm,
      stream,
      mode,
      reading: { windowEnd: end, pageSize: options.pageSize },
      deliver: (chunk, next) => progress.deliver(chunk, next),
      shouldStop: () => stopAsked(options),
    };
    // The start keeps the mode its boundary was made in (see isCovered); the walk reads in today's.
    await walkStream(options, walk, { time: start.time, boundary: start.boundary, mode: start.mode ?? mode, updatedAt: main.updatedAt });
    await progress.finish();
  } finally {
    await pipeline.settle();
  }
  await lookback.records.prune(key, progress.reached.seq);
}

/** Where one look-back turn has read up to, and what of it still needs a commit. */
class LookBackProgress {
  /** Where the look-back has read up to; `late` counts the late events delivered so far. */
  reached: LookbackPosition;
  /** `reached` moved past the last position handed over. */
  private uncommitted = false;

  constructor(
    private readonly tenant: string,
    private readonly pipeline: CommitPipeline,
    private readonly realm: string,
    private readonly stream: Stream,
    private readonly mode: ApiMode,
    /** The stream's first-pass position when the look-back started. */
    private readonly main: StreamPosition,
    private readonly ledger: LookbackLedger,
    start: LookbackPosition,
  ) {
    this.reached = start;
  }

  async deliver(chunk: KeyedEvent[], next: StreamPosition): Promise<void> {
    const late = this.ledger.late(chunk);
    this.reached = this.ledger.next(next, this.mode, (this.reached.late ?? 0) + late.length);
    if (late.length > 0) await this.handOver(late);
    else this.uncommitted = true;
  }

  /** Commits where the look-back stopped, unless that was committed with its last late events. */
  async finish(): Promise<void> {
    if (this.uncommitted) await this.handOver([]);
  }

  /** Late events go one queue batch each, so a batch id never depends on how they were chunked. */
  private async handOver(late: KeyedEvent[]): Promise<void> {
    const { realm, stream } = this;
    this.uncommitted = false;
    const batches = late.map((item) => batchForChunk(this.tenant, realm, stream, [item]));
    const position = { ...(this.pipeline.position(realm, stream) ?? this.main), lookback: this.reached };
    await this.pipeline.handOver({ realm, stream, batches, position, late: true });
  }
}
