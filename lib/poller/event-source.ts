import type { ApiMode } from '../cursor/cursor-store.js';
import type { MpasEvent, Stream } from '../mpas/event-schemas.js';

/** One page request to an events endpoint, with Keycloak's query parameters. */
export interface EventPageQuery {
  realm: string;
  stream: Stream;
  /** Epoch milliseconds (Keycloak >= 26.2) or `yyyy-MM-dd`. Inclusive. */
  dateFrom?: number | string;
  /** Epoch milliseconds (Keycloak >= 26.2) or `yyyy-MM-dd`. Inclusive. */
  dateTo?: number | string;
  first: number;
  max: number;
  direction?: 'asc' | 'desc';
}

/**
 * What the poller needs of MPAS: the `MpasClient` implements it; the walks depend only on this,
 * so they can be read without the HTTP details.
 */
export interface EventSource {
  /** Whether the realm's server is Keycloak >= 26.2 ("modern") or older ("legacy"). */
  apiMode(realm: string): Promise<ApiMode>;
  /** One page, validated; returned whole or not at all. */
  getEvents(query: EventPageQuery, signal?: AbortSignal): Promise<MpasEvent[]>;
}
