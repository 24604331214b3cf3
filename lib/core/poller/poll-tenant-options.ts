import type { CursorStore } from '../cursor/cursor-store.js';
import type { Stream } from '../events/event-schemas.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { Clock } from '../time/clock.js';
import type { EventSource } from './event-source.js';
import type { LookbackSettings } from './look-back.js';
import type { PollObserver } from './poll-observer.js';

/** Everything one poll of a tenant needs. */
export interface PollTenantOptions {
  tenant: string;
  /** This instance's name in the lease (Lambda request id, host and pid, ...). */
  owner: string;
  realms: readonly string[];
  streams: readonly Stream[];
  source: EventSource;
  store: CursorStore;
  queue: EventQueue;
  clock: Clock;
  settleMs: number;
  pageSize: number;
  leaseMs: number;
  /** Where a stream without a position starts: `now` (minus the settle window) or epoch ms. */
  startFrom: 'now' | number;
  /** Epoch ms after which no new page is started (the invocation's time budget). */
  deadline?: number;
  /** Epoch ms of the last event to read (a replay's end); `now - settle` when later or absent. */
  windowEnd?: number;
  /** Aborting stops the poll after the chunk in hand is enqueued and committed. */
  signal?: AbortSignal;
  /** The second pass for events Keycloak commits late; absent or a window of 0: none. */
  lookback?: LookbackSettings;
  observer?: PollObserver;
}
