import type { ApiMode, ReadParameters, StreamPosition } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';
import { batchForChunk } from './batches-for-chunk.js';
import type { CommitPipeline } from './commit-pipeline.js';
import type { KeyedEvent } from './keyed-event.js';
import { firstPassCommit } from './look-back.js';
import type { PollTenantOptions } from './poll-tenant-options.js';
import { readParameters, stopAsked, walkStream } from './stream-reading.js';
import type { WalkResult } from './walk.js';

// Chunks one stream may deliver before the next stream's turn: small enough to be fair, large
// enough that a legacy walk's offset searches are not repeated for every page.
const CHUNKS_PER_TURN = 10;

/**
 * One turn of a stream's first pass: the walk stops at a chunk boundary after CHUNKS_PER_TURN
 * chunks, so the tenant loop can take the streams in turn. A stream without a position gets its
 * start committed first, so "now" is pinned once and not recomputed on every run. The turn ends
 * once its last chunk is committed, so the pipeline's positions are current; a failed commit (a
 * lost lease above all) wins over an MPAS error of the page read meanwhile. Resolves whether the
 * stream was read up to the window's end.
 */
export async function readFirstPassTurn(options: PollTenantOptions, pipeline: CommitPipeline, realm: string, stream: Stream, mode: ApiMode): Promise<boolean> {
  const read = readParameters(options);
  let start = pipeline.position(realm, stream);
  if (!start) {
    const now = options.clock.now();
    start = { time: options.startFrom === 'now' ? now - options.settleMs : options.startFrom, boundary: [], mode, updatedAt: now, read };
    await pipeline.handOver({ realm, stream, batches: [], position: start });
  }
  return new FirstPassTurn(options, pipeline, realm, stream, mode, read, start).run();
}

class FirstPassTurn {
  /** The newest position handed over (maybe not committed yet): the next one numbers on from it. */
  private last: StreamPosition;
  /** Chunks the walks of this turn delivered. */
  private chunks = 0;
  /** A position to commit again with this turn's reading before the first chunk read that way. */
  private unpinned: StreamPosition | undefined;

  constructor(
    private readonly options: PollTenantOptions,
    private readonly pipeline: CommitPipeline,
    private readonly realm: string,
    private readonly stream: Stream,
    private readonly mode: ApiMode,
    /** How this turn reads: every position it commits says so. */
    private readonly read: ReadParameters,
    private readonly start: StreamPosition,
  ) {
    this.last = start;
  }

  async run(): Promise<boolean> {
    try {
      const from = sameRead(this.start.read, this.read) ? this.start : await this.readAgainAsRecorded(this.start);
      // The position keeps the mode it was written in: its boundary keys are of that mode.
      return (await this.walk(this.read, from, () => this.turnIsOver())).done;
    } finally {
      await this.pipeline.settle();
    }
  }

  /**
   * The last holder may have enqueued the page it read from `from` and stopped before committing
   * it. That page is read again as it was read (a later window or another page size would give
   * other events, another batch id, and the SIEM would get them twice); its commit records this
   * turn's reading. When it holds nothing new, `from` is committed again with this turn's reading
   * before the first chunk read that way is enqueued (a stream with nothing new costs no write).
   */
  private async readAgainAsRecorded(from: StreamPosition): Promise<StreamPosition> {
    const chunksBefore = this.chunks;
    let reached = from;
    if (from.read) reached = (await this.walk(from.read, from, () => this.chunks > chunksBefore || this.turnIsOver())).position;
    if (this.chunks === chunksBefore) this.unpinned = { ...reached, mode: this.mode, updatedAt: this.options.clock.now(), read: this.read };
    return reached;
  }

  private walk(reading: ReadParameters, from: StreamPosition, shouldStop: () => boolean): Promise<WalkResult> {
    const { realm, stream, mode } = this;
    return walkStream(this.options, { realm, stream, mode, reading, shouldStop, deliver: (chunk, next) => this.deliver(chunk, next, reading) }, from);
  }

  private async deliver(chunk: KeyedEvent[], next: StreamPosition, reading: ReadParameters): Promise<void> {
    this.chunks += 1;
    const pin = this.unpinned;
    if (pin) {
      this.unpinned = undefined;
      await this.handOver([], pin, this.read);
    }
    await this.handOver(chunk, { ...next, mode: this.mode, read: this.read }, reading);
  }

  /** Hands `chunk` over with the position after it, numbered on from the last one handed over. */
  private async handOver(chunk: KeyedEvent[], next: StreamPosition, reading: ReadParameters): Promise<void> {
    const { realm, stream } = this;
    const planned = firstPassCommit(this.last, chunk, next, reading, this.options.lookback?.windowMs ?? 0);
    this.last = planned.position;
    const batches = chunk.length > 0 ? [batchForChunk(this.options.tenant, realm, stream, chunk)] : [];
    await this.pipeline.handOver({ realm, stream, batches, position: planned.position, ...(planned.record ? { record: planned.record } : {}) });
  }

  private turnIsOver(): boolean {
    return this.chunks >= CHUNKS_PER_TURN || stopAsked(this.options);
  }
}

function sameRead(a: ReadParameters | undefined, b: ReadParameters): boolean {
  return a !== undefined && a.windowEnd === b.windowEnd && a.pageSize === b.pageSize;
}
