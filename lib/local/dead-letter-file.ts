import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetter } from '../forwarder/forward-batch.js';
import type { EventBatch } from '../queue/event-batch.js';

/** One line of the local dead-letter file. */
export interface DeadLetterRecord {
  at: string;
  reason: string;
  detail: string;
  tenant: string;
  realm: string;
  stream: string;
  batchId: string;
  events: unknown[];
}

/**
 * The local mode's dead-letter queue: an NDJSON file beside the cursor. Each record is appended
 * (and the append awaited) before the batch is acknowledged, so a dead-lettered event is never
 * lost. Credentials were scrubbed before queueing; configurable redaction was not applied, as in
 * the SQS DLQ, so the file stays under the state directory's 0700 permissions.
 */
export class DeadLetterFile {
  constructor(readonly path: string) {}

  async append(batch: EventBatch, deadLetters: readonly DeadLetter[], now: number): Promise<void> {
    if (deadLetters.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const lines = deadLetters.map((deadLetter) =>
      JSON.stringify({
        at: new Date(now).toISOString(),
        reason: deadLetter.reason,
        detail: deadLetter.detail,
        tenant: batch.tenant,
        realm: batch.realm,
        stream: batch.stream,
        batchId: batch.batchId,
        events: deadLetter.events,
      } satisfies DeadLetterRecord),
    );
    await appendFile(this.path, lines.join('\n') + '\n', { mode: 0o600 });
  }
}
