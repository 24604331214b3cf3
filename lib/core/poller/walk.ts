import type { StreamPosition } from '../cursor/cursor-store.js';
import { MpasPagingError } from '../../sources/mpas/errors.js';
import type { Stream } from '../events/event-schemas.js';
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

/**
 * The most events one request may ask for: a millisecond read whole, or a legacy slice grown to
 * reach past one, stops here with an {@link MpasPagingError} instead of holding any amount of
 * memory for a server that never answers short.
 */
export const MAX_EVENTS_PER_READ = 50_000;

/**
 * `page` as the walk may use it: a server that sends more events than `max` asked for ignores
 * paging, and its answers cannot be trusted to be the page asked for (the walk would read the same
 * events again and again): the stream fails, named, instead of being read that way.
 */
export function checkedPage<T>(context: Pick<WalkContext, 'realm' | 'stream'>, page: T[], query: { first: number; max: number }): T[] {
  if (page.length > query.max) {
    throw pagingError(context, `it sent ${page.length} events when asked for at most ${query.max} (first=${query.first}, max=${query.max}): the server ignores max`);
  }
  return page;
}

/**
 * The largest offset a walk asks for: Keycloak takes `first` as a Java Integer. A search for an
 * offset that reaches it found no end to the list: the server ignores `first`.
 */
export const MAX_OFFSET = 2 ** 31 - 1;

/** The error for a stream whose server cannot be paged through safely. */
export function pagingError(context: Pick<WalkContext, 'realm' | 'stream'>, problem: string): MpasPagingError {
  return new MpasPagingError({ route: context.stream === 'user' ? 'events' : 'admin-events', realm: context.realm, problem });
}
