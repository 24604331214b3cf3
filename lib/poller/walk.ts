import type { StreamPosition } from '../cursor/cursor-store.js';
import type { Stream } from '../mpas/event-schemas.js';
import type { EventSource } from './event-source.js';
import type { KeyedEvent } from './keyed-event.js';

/** What a walk over one realm's stream needs; the same for both API modes. */
export interface WalkContext {
  source: EventSource;
  realm: string;
  stream: Stream;
  pageSize: number;
  /** `now - settle`: events newer than this may still be committing and are left for later. */
  windowEnd: number;
  now: () => number;
  signal?: AbortSignal;
  /**
   * Enqueues `chunk` (ascending by time; may be empty when only the position moves) and then
   * commits `position`. Throws `LeaseLostError` when the lease was lost: the walk must not catch it.
   */
  deliver: (chunk: KeyedEvent[], position: StreamPosition) => Promise<void>;
  /** True once the time budget is spent or a stop was asked for: finish the current chunk and return. */
  shouldStop: () => boolean;
}

/** Where a walk left its stream, and whether it read everything up to the window's end. */
export interface WalkResult {
  position: StreamPosition;
  done: boolean;
}

/** Reads a stream from `position` towards the window's end, delivering and committing chunk by chunk. */
export type Walk = (context: WalkContext, position: StreamPosition) => Promise<WalkResult>;

/** Orders events by time; ties keep their order (the server's), which offset paging relies on. */
export function byTime(a: KeyedEvent, b: KeyedEvent): number {
  return a.event.time - b.event.time;
}
