import type { ApiMode } from '../../lib/core/cursor/cursor-store.js';
import type { MpasEvent } from '../../lib/core/events/event-schemas.js';
import type { ApiModeOptions, EventPageQuery, EventSource } from '../../lib/core/poller/event-source.js';

const DAY_MS = 86_400_000;

/** How the model answers, after what Keycloak's query code does (docs/keycloak-api.md). */
export interface ModelSourceOptions {
  mode: ApiMode;
  /** The server's zone for `yyyy-MM-dd` dates, minutes east of UTC. */
  utcOffsetMinutes: number;
  /** Legacy `dateTo` as 00:00 of its day (admin events < 26.2, user events < 26.0) or 23:59:59.999. */
  legacyDateTo: 'start-of-day' | 'end-of-day';
  /** A draw in [0, 1): orders equal times anew for every query, as a database may. */
  random: () => number;
  /** Called before each query is answered: a test adds events here, as traffic between requests. */
  beforeQuery?: (query: EventPageQuery) => void;
}

/**
 * An in-memory model of Keycloak's events endpoints, small enough to reason about in a property
 * test: `ORDER BY time` with no other key (equal times in a fresh random order per query, taken
 * before LIMIT/OFFSET), dates only and newest first in legacy mode, with the server's zone and
 * the start-of-day `dateTo` of older versions.
 */
export class ModelKeycloakSource implements EventSource {
  readonly events: MpasEvent[] = [];
  readonly queries: EventPageQuery[] = [];
  /** The server's clock, when a test plays one that differs from the poller's. */
  serverNow?: () => number;

  constructor(private readonly options: ModelSourceOptions) {
    this.options = { ...options };
  }

  async apiMode(_realm: string, _options?: ApiModeOptions): Promise<ApiMode> {
    return this.options.mode;
  }

  /** An upgrade (or downgrade) in place: the same stored events, answered the other way from now on. */
  setMode(mode: ApiMode): void {
    this.options.mode = mode;
  }

  async getEvents(query: EventPageQuery): Promise<MpasEvent[]> {
    this.options.beforeQuery?.(query);
    this.queries.push(query);
    const from = this.bound(query.dateFrom, 'from');
    const to = this.bound(query.dateTo, 'to');
    const ascending = this.options.mode === 'modern' && query.direction === 'asc';
    const tie = new Map<MpasEvent, number>();
    const rows = this.events.filter((event) => event.time >= from && event.time <= to);
    for (const event of rows) tie.set(event, this.options.random());
    rows.sort((a, b) => (ascending ? a.time - b.time : b.time - a.time) || tie.get(a)! - tie.get(b)!);
    const first = Math.max(0, query.first);
    const served = query.max < 0 ? rows.slice(first) : rows.slice(first, first + query.max);
    return this.options.mode === 'legacy' ? served.map(({ id: _id, ...rest }) => rest as MpasEvent) : served;
  }

  private bound(value: number | string | undefined, side: 'from' | 'to'): number {
    if (value === undefined) return side === 'from' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (typeof value === 'number') {
      if (this.options.mode === 'legacy') throw new Error(`legacy servers take no epoch dates (got ${value})`);
      return value;
    }
    const start = Date.parse(`${value}T00:00:00Z`) - this.options.utcOffsetMinutes * 60_000;
    if (side === 'from') return start;
    return this.options.legacyDateTo === 'start-of-day' ? start : start + DAY_MS - 1;
  }
}
