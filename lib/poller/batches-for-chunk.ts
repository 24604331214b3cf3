import type { AdminEvent, MpasEvent, Stream } from '../mpas/event-schemas.js';
import { scrubCredentials } from '../pipeline/credential-scrubber.js';
import { batchIdFor } from '../queue/event-batch.js';
import type { EventBatch } from '../queue/event-batch.js';
import type { KeyedEvent } from './keyed-event.js';

/**
 * The queue message for one chunk of a stream. Credentials inside admin `representation` are
 * removed here, before the events rest anywhere (queue, dead-letter queue, local memory);
 * configurable redaction is the forwarder's job. The batch id hashes the keys the cursor uses,
 * so the same chunk enqueued again after a crash gets the same id.
 */
export function batchForChunk(tenant: string, realm: string, stream: Stream, chunk: readonly KeyedEvent[]): EventBatch {
  const events: MpasEvent[] = chunk.map(({ event }) => (stream === 'admin' ? scrubCredentials(event as AdminEvent) : event));
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
