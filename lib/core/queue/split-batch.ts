import { eventKey } from '../events/event-key.js';
import type { MpasEvent } from '../events/event-schemas.js';
import { batchIdFor } from './event-batch.js';
import type { EventBatch } from './event-batch.js';
import { EventTooLargeError, QueueError } from './errors.js';
import { messageBody, utf8Bytes } from './message-body.js';

// Every part's id comes from batchIdFor, whose output always has this length (a base64url SHA-256).
const PART_ID_LENGTH = batchIdFor('', '', 'user', []).length;

/**
 * Splits a batch whose message body (see `messageBody`) exceeds `maxBytes` into consecutive
 * parts that each fit, keeping the events' order. A batch that fits is returned as it is.
 *
 * Deterministic: parts are filled greedily in order, so the same batch always splits the same
 * way and each part's id (`batchIdFor` over its own event keys) is the same when a page is
 * enqueued again after a crash, which is what lets the forwarder's idempotency record drop it.
 *
 * An event that alone does not fit becomes a part of its own, larger than `maxBytes`, when
 * `oversizeAlone` is set (the caller sends it through the claim check); otherwise it throws.
 *
 * @throws EventTooLargeError when one event alone does not fit in `maxBytes` and `oversizeAlone` is not set.
 */
export function splitToFit(batch: EventBatch, maxBytes: number, options: { oversizeAlone?: boolean } = {}): EventBatch[] {
  if (utf8Bytes(messageBody(batch)) <= maxBytes) return [batch];

  const envelope = (batchId: string, events: MpasEvent[]): EventBatch => ({
    v: 1,
    tenant: batch.tenant,
    realm: batch.realm,
    stream: batch.stream,
    batchId,
    events,
  });
  // The body of a part is the empty envelope with the events' JSON, comma-separated, in `[]`.
  const overhead = utf8Bytes(messageBody(envelope('x'.repeat(PART_ID_LENGTH), [])));

  const parts: EventBatch[] = [];
  let events: MpasEvent[] = [];
  let size = overhead;
  const close = (): void => {
    const keys = events.map(eventKey);
    parts.push(envelope(batchIdFor(batch.tenant, batch.realm, batch.stream, keys), events));
    events = [];
    size = overhead;
  };
  const oversize = new Set<EventBatch>();
  for (const event of batch.events) {
    const eventBytes = utf8Bytes(messageBody(event));
    if (overhead + eventBytes > maxBytes) {
      if (options.oversizeAlone !== true) throw new EventTooLargeError(eventKey(event), overhead + eventBytes, maxBytes);
      if (events.length > 0) close();
      events.push(event);
      close();
      oversize.add(parts[parts.length - 1] as EventBatch);
      continue;
    }
    const separator = events.length > 0 ? 1 : 0;
    if (size + separator + eventBytes > maxBytes) close();
    size += (events.length > 0 ? 1 : 0) + eventBytes;
    events.push(event);
  }
  if (events.length > 0) close();

  // The arithmetic above mirrors JSON.stringify; check it, since an oversize part would be
  // refused by SQS on every attempt.
  for (const part of parts) {
    if (oversize.has(part)) continue;
    const bytes = utf8Bytes(messageBody(part));
    if (bytes > maxBytes) throw new QueueError(`part ${part.batchId} of batch ${batch.batchId} is ${bytes} bytes, over ${maxBytes}`);
  }
  return parts;
}
