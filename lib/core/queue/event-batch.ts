import { createHash } from 'node:crypto';
import * as z from 'zod';
import { streamSchema } from '../events/event-schemas.js';
import type { MpasEvent, Stream } from '../events/event-schemas.js';

/**
 * The queue message: one page (or part of a page) of one realm's stream. The events are raw
 * MPAS events (credentials already scrubbed by the poller); the forwarder validates each one
 * with the stream's own schema, so one bad event is dead-lettered without its neighbours.
 */
export const eventBatchSchema = z.object({
  v: z.literal(1),
  tenant: z.string().min(1),
  realm: z.string().min(1),
  stream: streamSchema,
  batchId: z.string().min(1),
  // Set on a retried remainder: the one route (destination) it is still owed to; absent, every route.
  route: z.string().min(1).optional(),
  // Set on a dead letter's batch: the fingerprint of the redaction its events already had
  // (lib/core/pipeline/redaction-at-rest.ts), so a redrive does not redact them twice.
  redaction: z.string().min(1).optional(),
  events: z.array(z.record(z.string(), z.unknown())).min(1),
});
export type EventBatch = Omit<z.infer<typeof eventBatchSchema>, 'events' | 'stream'> & {
  stream: Stream;
  events: MpasEvent[];
};

/**
 * A batch id that depends only on what the batch holds, so a page enqueued again after a crash
 * between enqueue and commit gets the same id and the forwarder's idempotency record drops it.
 */
export function batchIdFor(tenant: string, realm: string, stream: Stream, eventKeys: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`${tenant}\u0000${realm}\u0000${stream}`);
  for (const key of eventKeys) hash.update('\u0000' + key);
  return hash.digest('base64url');
}
