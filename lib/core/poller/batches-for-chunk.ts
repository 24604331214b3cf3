import type { MpasEvent, Stream } from '../events/event-schemas.js';
import { rejectedEvent, rejectionOf, withElement } from '../events/rejected-event.js';
import { scrubCredentials, scrubUntrusted, tooDeepDepth } from '../pipeline/credential-scrubber.js';
import { MAX_EVENT_DEPTH } from '../../sources/mpas/page-limits.js';
import { batchIdFor } from '../queue/event-batch.js';
import type { EventBatch } from '../queue/event-batch.js';
import type { KeyedEvent } from './keyed-event.js';

/**
 * The queue message for one chunk of a stream. Credentials are removed here from every event of
 * either stream (admin `representation` above all, see docs/secrets-in-events.md), before the
 * events rest anywhere (queue, dead-letter queue, local memory); the keys were computed from the
 * events as served, so scrubbing changes no key;
 * configurable redaction is the forwarder's job. The batch id hashes the keys the cursor uses,
 * so the same chunk enqueued again after a crash gets the same id.
 *
 * Elements of a page that are no usable event travel in their place as rejected events (see
 * rejected-event.ts), their content scrubbed as well; so does an admin event whose
 * `representation` nests deeper than MAX_EVENT_DEPTH (it cannot be scrubbed without a deep walk,
 * so its representation is removed and the event dead-lettered with the depth as its reason).
 */
export function batchForChunk(tenant: string, realm: string, stream: Stream, chunk: readonly KeyedEvent[]): EventBatch {
  const events: MpasEvent[] = chunk.map((item) => queuedEvent(item, stream));
  return {
    v: 1,
    tenant,
    realm,
    stream,
    batchId: batchIdFor(
      tenant,
      realm,
      stream,
      chunk.map(({ key }) => key),
    ),
    events,
  };
}

function queuedEvent({ event, key }: KeyedEvent, stream: Stream): MpasEvent {
  const rejection = rejectionOf(event);
  if (rejection) return withElement(event, scrubUntrusted(rejection.element));
  const scrubbed = scrubCredentials(event);
  const depth = stream === 'admin' && scrubbed !== event ? tooDeepDepth((scrubbed as Record<string, unknown>)['representation']) : undefined;
  if (depth === undefined) return scrubbed;
  const reason = `the event ${key} at ${new Date(event.time).toISOString()} has a representation that nests ${depth} levels, more than the limit ${MAX_EVENT_DEPTH}`;
  return rejectedEvent(event.time, key, { reason, element: scrubbed as Record<string, unknown> });
}
