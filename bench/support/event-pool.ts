import { generateEvents } from '../../devtools/generators/event-generator.js';
import type { GeneratedEvent } from '../../devtools/generators/event-generator.js';
import type { AdminEvent, UserEvent } from '../../lib/core/events/event-schemas.js';

/** Options of {@link bulkEvents}. */
export interface BulkEventsOptions {
  realm: string;
  count: number;
  /** Epoch milliseconds of the first event. */
  startTime: number;
  /** Milliseconds between consecutive events (fractions spread several events over one millisecond). */
  spacingMs: number;
  /** @default 1 */
  seed?: number;
  /** Distinct generated events to clone from. @default 4000 */
  poolSize?: number;
  /** @default 0.1, the generator's share */
  adminShare?: number;
}

/**
 * A realistic pool, generated once (the generator takes ~30 s for 200k events on a loaded
 * machine), cloned into `count` events with fresh ids and times. The clones are shallow: nested
 * `details` and `authDetails` are shared, which the pipeline never mutates, and which keeps a
 * 200k backlog small enough not to dominate the process's memory.
 */
export function bulkEvents(options: BulkEventsOptions): { user: UserEvent[]; admin: AdminEvent[]; all: GeneratedEvent[] } {
  const poolSize = options.poolSize ?? 4000;
  const pool = generateEvents({
    seed: options.seed ?? 1,
    realm: options.realm,
    count: poolSize,
    startTime: options.startTime,
    spacingMs: 1,
    adminShare: options.adminShare ?? 0.1,
  });
  // generateEvents returns the streams apart; interleave them back in the generator's proportion.
  const mixed: GeneratedEvent[] = [
    ...pool.user.map((event) => ({ stream: 'user', event }) as const),
    ...pool.admin.map((event) => ({ stream: 'admin', event }) as const),
  ].sort((a, b) => a.event.time - b.event.time);
  const user: UserEvent[] = [];
  const admin: AdminEvent[] = [];
  const all: GeneratedEvent[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const source = mixed[i % mixed.length]!;
    const time = options.startTime + Math.floor(i * options.spacingMs);
    // A fresh, unique, UUID-shaped id: the pool's id with the counter in its last 12 digits.
    const id = `${(source.event.id ?? '00000000-0000-4000-8000-').slice(0, 24)}${i.toString(16).padStart(12, '0')}`;
    if (source.stream === 'user') {
      const event: UserEvent = { ...source.event, id, time };
      user.push(event);
      all.push({ stream: 'user', event });
    } else {
      const event: AdminEvent = { ...source.event, id, time };
      admin.push(event);
      all.push({ stream: 'admin', event });
    }
  }
  return { user, admin, all };
}
