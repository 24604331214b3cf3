import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { DeadLetter } from '../core/forwarder/forward-batch.js';

/**
 * What one route's delivery files as dead letters, on AWS (the DLQ) and locally (the dead-letter
 * file) alike. Every route sees the same invalid events, so only the route that `filesInvalid`
 * (the first to see the batch) files them; a named route's detail says which route refused.
 */
export function routeDeadLetters(deadLetters: readonly DeadLetter[], route: string, filesInvalid: boolean): DeadLetter[] {
  return deadLetters
    .filter(({ reason }) => filesInvalid || reason !== 'invalid-event')
    .map((deadLetter) => (route === DEFAULT_ROUTE_NAME ? deadLetter : { ...deadLetter, detail: `route ${route}: ${deadLetter.detail}` }));
}
