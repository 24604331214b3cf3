import type { ApiMode, ReadParameters, StreamPosition } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';
import { walkLegacy } from './legacy-walk.js';
import { walkModern } from './modern-walk.js';
import type { PollTenantOptions } from './poll-tenant-options.js';
import type { Walk, WalkContext, WalkResult } from './walk.js';

const walks: Record<ApiMode, Walk> = { modern: walkModern, legacy: walkLegacy };

/** One walk of a realm's stream within a poll. */
export interface StreamWalk {
  realm: string;
  stream: Stream;
  /** The server's API mode as probed this poll. */
  mode: ApiMode;
  reading: ReadParameters;
  deliver: WalkContext['deliver'];
  shouldStop: () => boolean;
}

/** Walks a stream from `from` with the poll's source, clock and stop signal. */
export function walkStream(options: PollTenantOptions, walk: StreamWalk, from: StreamPosition): Promise<WalkResult> {
  const { realm, stream, mode, reading, deliver, shouldStop } = walk;
  const context: WalkContext = {
    source: options.source,
    realm,
    stream,
    pageSize: reading.pageSize,
    windowEnd: reading.windowEnd,
    now: () => options.clock.now(),
    signal: options.signal,
    deliver,
    shouldStop,
  };
  return walks[mode](context, from);
}

/** Whether a stop was asked for or the invocation's time budget is spent. */
export function stopAsked(options: PollTenantOptions): boolean {
  return (options.signal?.aborted ?? false) || (options.deadline !== undefined && options.clock.now() >= options.deadline);
}

/** The first pass's reading of this turn: up to `now - settle` (or a replay's end), a page at a time. */
export function readParameters(options: PollTenantOptions): ReadParameters {
  // A server whose clock is behind ours has not stamped our "now" yet: its own now counts.
  const now = Math.min(options.clock.now(), options.source.serverNow?.() ?? Number.POSITIVE_INFINITY);
  return {
    windowEnd: Math.min(now - options.settleMs, options.windowEnd ?? Number.POSITIVE_INFINITY),
    pageSize: options.pageSize,
  };
}
