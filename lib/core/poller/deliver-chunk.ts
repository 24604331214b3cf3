import type { StreamPosition } from '../cursor/cursor-store.js';
import { advancePosition } from './keyed-event.js';
import type { KeyedEvent } from './keyed-event.js';
import type { WalkContext } from './walk.js';

/**
 * Delivers a chunk from {@link nextChunk} and returns the position after it. A chunk longer
 * than a page is one millisecond read whole: it goes in pieces of a page, each committed with
 * the keys delivered so far (a restart resumes inside the millisecond without repeats), and the
 * last piece moves the cursor past that millisecond, so the cursor item never keeps more than
 * a page of keys once it is done.
 */
export async function deliverChunk(context: WalkContext, position: StreamPosition, chunk: readonly KeyedEvent[]): Promise<StreamPosition> {
  if (chunk.length <= context.pageSize) {
    const next = advancePosition(position, chunk, context.now());
    await context.deliver([...chunk], next);
    return next;
  }
  let current = position;
  for (let index = 0; index < chunk.length; index += context.pageSize) {
    const piece = chunk.slice(index, index + context.pageSize);
    const last = index + context.pageSize >= chunk.length;
    const next: StreamPosition = last
      ? { time: piece.at(-1)!.event.time + 1, boundary: [], mode: current.mode, updatedAt: context.now() }
      : advancePosition(current, piece, context.now());
    await context.deliver(piece, next);
    current = next;
  }
  return current;
}
