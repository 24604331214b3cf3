import { cefFields } from '../core/formats/cef-fields.js';
import { resolveCefOptions } from '../core/formats/cef-options.js';
import { eventKey } from '../core/events/event-key.js';
import { adminEventSchema, userEventSchema } from '../core/events/event-schemas.js';
import type { Redactor } from '../core/pipeline/redactor.js';
import type { EventBatch } from '../core/queue/event-batch.js';

/**
 * One archived event: PAS 6.0's `audit_events` row (`eventID`, `message`, `host`, `params`,
 * `date`), plus `key`, the event's key, so the same event stored twice (a batch delivered again)
 * is one row. `params` are the event's CEF extension pairs (`duser`, `src`, `act`, `cs1`...),
 * the names PAS 6.0's report filters use.
 */
export interface ArchiveRecord {
  key: string;
  /** The catalog's signature id: `user_login_error`, `admin_user_delete`. */
  eventID: string;
  /** The catalog's name: "User login failed". */
  message: string;
  /** The realm. */
  host: string;
  params: Record<string, string>;
  /** The event's time, ISO-8601 in UTC (so text order is time order). */
  date: string;
}

// Only the catalog and the extension are read: header settings do not reach the archive.
const CEF_OPTIONS = resolveCefOptions({ version: 'archive' });

/**
 * The archive records of a batch's valid events, after redaction (an invalid event is the
 * forwarder's to dead-letter, not the archive's to store).
 */
export function archiveRecordsOf(batch: EventBatch, redact: Redactor): ArchiveRecord[] {
  const schema = batch.stream === 'user' ? userEventSchema : adminEventSchema;
  const context = { tenant: batch.tenant, realm: batch.realm, stream: batch.stream };
  const records: ArchiveRecord[] = [];
  for (const raw of batch.events) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) continue;
    const event = redact(parsed.data, batch.stream);
    const fields = cefFields(event, context, CEF_OPTIONS);
    records.push({
      key: eventKey(parsed.data),
      eventID: fields.signatureId,
      message: fields.name,
      host: batch.realm,
      params: Object.fromEntries(fields.extension),
      date: new Date(event.time).toISOString(),
    });
  }
  return records;
}

/** The UTC day of an ISO date (`2026-11-22`): the archive's date partition. */
export function dayOf(isoDate: string): string {
  return isoDate.slice(0, 10);
}
