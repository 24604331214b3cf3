import type { Stream } from '../../lib/core/events/event-schemas.js';
import type { SimulatorRoute, SimulatorStats } from './simulator-options.js';

/** Counts responses by route and status, and the events served, for `stats()`. */
export class RequestStats {
  private readonly requests: SimulatorStats['requests'] = { token: {}, events: {}, 'admin-events': {}, other: {} };
  private readonly served: SimulatorStats['eventsServed'] = { user: 0, admin: 0 };

  /** Records one response. */
  recordResponse(route: SimulatorRoute, status: number): void {
    const byStatus = this.requests[route];
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  /** Records events returned in a successful page. */
  recordServed(stream: Stream, count: number): void {
    this.served[stream] += count;
  }

  /** A copy, so callers can compare snapshots. */
  snapshot(): SimulatorStats {
    const copy = (byStatus: Record<number, number>): Record<number, number> => ({ ...byStatus });
    return {
      requests: {
        token: copy(this.requests.token),
        events: copy(this.requests.events),
        'admin-events': copy(this.requests['admin-events']),
        other: copy(this.requests.other),
      },
      eventsServed: { ...this.served },
    };
  }
}
