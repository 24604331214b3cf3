import type { ApiMode } from '../cursor/cursor-store.js';
import type { MpasEvent } from '../events/event-schemas.js';
import type { EventPageQuery } from '../../sources/mpas/mpas-client.js';

export type { EventPageQuery };

/** How to ask for a realm's API mode. */
export interface ApiModeOptions {
  /** Ask the server again instead of answering from memory. */
  refresh?: boolean;
  signal?: AbortSignal;
}

/**
 * What the poller needs of MPAS: the `MpasClient` implements it; the walks depend only on this,
 * so they can be read without the HTTP details.
 */
export interface EventSource {
  /**
   * Whether the realm's server is Keycloak >= 26.2 ("modern") or older ("legacy"). With
   * `refresh`, the server is asked again: it may have been upgraded in place since.
   */
  apiMode(realm: string, options?: ApiModeOptions): Promise<ApiMode>;
  /**
   * The latest time the server has surely reached by its own clock (the HTTP `Date` of its
   * answers); absent, the poller's clock is taken as the server's.
   */
  serverNow?(): number;
  /** One page, validated; returned whole or not at all. */
  getEvents(query: EventPageQuery, signal?: AbortSignal): Promise<MpasEvent[]>;
}
