import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetter } from '../core/forwarder/forward-batch.js';
import type { EventBatch } from '../core/queue/event-batch.js';

/** One line of the local dead-letter file. */
export interface DeadLetterRecord {
  at: string;
  reason: string;
  detail: string;
  tenant: string;
  realm: string;
  stream: string;
  batchId: string;
  /**
   * The fingerprint of the redaction the events had (lib/core/pipeline/redaction-at-rest.ts); absent
   * in records written before dead letters were redacted (events in clear): redrive redacts those.
   */
  redaction?: string;
  events: unknown[];
}

/**
 * The local mode's dead-letter queue: an NDJSON file beside the cursor. Each record is appended
 * (and the append awaited) before the batch is acknowledged, so a dead-lettered event is never
 * lost. Its events are redacted with the refusing route's settings, as the SIEM would have
 * received them, and marked with their fingerprint; the file is created 0600 in the 0700 state
 * directory.
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
        ...(deadLetter.redaction === undefined ? {} : { redaction: deadLetter.redaction }),
        events: deadLetter.events,
      } satisfies DeadLetterRecord),
    );
    await appendFile(this.path, lines.join('\n') + '\n', { mode: 0o600 });
  }
}
