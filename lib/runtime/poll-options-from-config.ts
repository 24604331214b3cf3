import type { PollerConfig } from '../config/app-config-schema.js';
import type { CursorStore } from '../core/cursor/cursor-store.js';
import type { DeliveryRecordStore } from '../core/poller/delivery-records.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import type { PollTenantOptions } from '../core/poller/poll-tenant.js';
import type { EventQueue } from '../core/queue/event-queue.js';
import type { Clock } from '../core/time/clock.js';

/** What a poll works with besides its configuration: the ports, and this instance's name in the lease. */
export interface PollPorts {
  /** The Lambda request id, or host and pid. */
  owner: string;
  source: EventSource;
  store: CursorStore;
  queue: EventQueue;
  clock: Clock;
  observer?: PollObserver;
  /** Where the look-back's delivery records rest; without them there is no look-back. */
  records?: DeliveryRecordStore;
  /** Aborting stops the poll after the chunk in hand is enqueued and committed. */
  signal?: AbortSignal;
  /** Epoch ms after which no new page is started (a Lambda's time budget). */
  deadline?: number;
}

/**
 * The options of one `pollTenant` of the configured tenant: realms, streams, settle window, page
 * size, lease, start and look-back from the config, the rest from `ports`. The Lambda, the local
 * runner and the replay (which narrows realms, streams and the window to its range) all poll
 * with these.
 */
export function pollOptionsFromConfig(config: PollerConfig, ports: PollPorts): PollTenantOptions {
  const { records, ...rest } = ports;
  return {
    ...rest,
    tenant: config.tenant,
    realms: config.mpas.realms,
    streams: config.mpas.streams,
    settleMs: config.mpas.settleMs,
    pageSize: config.mpas.pageSize,
    leaseMs: config.polling.leaseMs,
    startFrom: config.mpas.startFrom,
    ...(records === undefined ? {} : { lookback: { windowMs: config.mpas.lookbackMs, records } }),
  };
}
