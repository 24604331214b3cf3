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
