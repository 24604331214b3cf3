import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { Stream } from '../core/events/event-schemas.js';

/** What a route's SIEM did not take, and why. */
export interface Undelivered {
  route: string;
  realm: string;
  stream: Stream;
  /** Events of the batch the SIEM did not take (their cursor did not move). */
  events: number;
  /** The last failed request's reason (secrets hidden by the sink); undefined when none was seen. */
  cause: string | undefined;
  /** True when a stop (Ctrl-C, SIGTERM) ended the retries, false when the attempts ran out. */
  stopping: boolean;
}

/** `the SIEM` for the default route, `the SIEM of route <name>` otherwise. */
export function siemOf(route: string): string {
  return route === DEFAULT_ROUTE_NAME ? 'the SIEM' : `the SIEM of route ${route}`;
}

/**
 * A batch one or more routes' SIEMs did not take: the local consumer gave up on it (a stop, or
 * `run --once` out of attempts). Its enqueue rejects with this, so its cursor does not move and
 * the next run reads and sends it again: nothing is lost.
 */
export class UndeliveredError extends Error {
  constructor(readonly routes: readonly Undelivered[]) {
    super(
      routes
        .map((detail) => {
          const why = detail.cause === undefined ? '' : `; last cause: ${detail.cause}`;
          const what = `${siemOf(detail.route)} did not accept ${detail.events} ${detail.realm} ${detail.stream} events`;
          return detail.stopping ? `stopping: ${what} yet${why}` : `${what}${why}`;
        })
        .join('\n'),
    );
    this.name = 'UndeliveredError';
  }
}
