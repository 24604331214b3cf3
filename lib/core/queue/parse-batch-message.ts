import { isPlainRecord } from '../events/event-fast-check.js';
import { eventBatchSchema } from './event-batch.js';
import type { EventBatch } from './event-batch.js';

/** A queue message body read back: the batch, or why it cannot be one (for the dead-letter reason). */
export type ParsedBatchMessage = { ok: true; batch: EventBatch } | { ok: false; reason: string };

/**
 * Parses and validates a queue message body with the same schema the producer used. The events
 * inside are only checked to be objects here; each is validated on its own by the forwarder,
 * so one bad event does not take its batch down.
 */
export function parseBatchMessage(body: string): ParsedBatchMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (isCanonicalBatch(json)) return { ok: true, batch: json };
  const parsed = eventBatchSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: `not a batch message: ${reason}` };
  }
  return { ok: true, batch: parsed.data as EventBatch };
}

// The members of a batch message in the schema's order, which is the order the producer writes.
const BATCH_MEMBERS = ['v', 'tenant', 'realm', 'stream', 'batchId', 'events'];

/**
 * True when `eventBatchSchema` would accept `json` and return it unchanged (same members, same
 * order, no member to strip): the common case, checked without zod's copy of every event.
 * Anything else goes through zod, which decides and explains.
 */
function isCanonicalBatch(json: unknown): json is EventBatch {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || Object.getPrototypeOf(json) !== Object.prototype) return false;
  const keys = Object.keys(json);
  if (keys.length !== BATCH_MEMBERS.length || keys.some((key, index) => key !== BATCH_MEMBERS[index])) return false;
  const batch = json as Record<string, unknown>;
  const text = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
  if (batch['v'] !== 1 || !text(batch['tenant']) || !text(batch['realm']) || !text(batch['batchId'])) return false;
  if (batch['stream'] !== 'user' && batch['stream'] !== 'admin') return false;
  const events = batch['events'];
  return Array.isArray(events) && events.length > 0 && events.every(isPlainRecord);
}
