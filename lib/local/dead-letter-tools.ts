import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../stores/cursor/atomic-file.js';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import { forwardBatch } from '../core/forwarder/forward-batch.js';
import type { Route } from '../runtime/routes-from-config.js';
import { eventKey } from '../core/events/event-key.js';
import type { MpasEvent, Stream } from '../core/events/event-schemas.js';
import { redactionForRedrive } from '../core/pipeline/redaction-at-rest.js';
import type { RedriveTreatment } from '../core/pipeline/redaction-at-rest.js';
import { batchIdFor } from '../core/queue/event-batch.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import type { Clock } from '../core/time/clock.js';
import type { DeadLetterRecord } from './dead-letter-file.js';

/** A line of the dead-letter file that is not a record (a hand edit, a torn write). */
export class DeadLetterFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly line: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeadLetterFileError';
  }
}

/** The file's text and its records, in order; an absent file has none. */
export async function readDeadLetterFile(path: string): Promise<{ text: string; records: DeadLetterRecord[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', records: [] };
    throw error;
  }
  return { text, records: parseRecords(text, path) };
}

function parseRecords(text: string, path: string): DeadLetterRecord[] {
  const records: DeadLetterRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: DeadLetterRecord;
    try {
      record = JSON.parse(line) as DeadLetterRecord;
    } catch (error) {
      throw new DeadLetterFileError(`${path} line ${index + 1} is not JSON: ${(error as Error).message}`, path, index + 1, { cause: error });
    }
    if (typeof record.realm !== 'string' || (record.stream !== 'user' && record.stream !== 'admin') || !Array.isArray(record.events)) {
      throw new DeadLetterFileError(`${path} line ${index + 1} is not a dead-letter record (realm, stream, events)`, path, index + 1);
    }
    if (record.redaction !== undefined && (typeof record.redaction !== 'string' || record.redaction === '')) {
      throw new DeadLetterFileError(`${path} line ${index + 1}: redaction must be the fingerprint of redaction settings (a string)`, path, index + 1);
    }
    records.push(record);
  });
  return records;
}

/** How a local redrive went. */
export interface LocalRedriveResult {
  delivered: number;
  /** Records sent again, by how their events' redaction was treated (lib/core/pipeline/redaction-at-rest.ts). */
  redaction: Record<RedriveTreatment, number>;
  /**
   * Records this redrive could not deliver and left in the file: refused again (with the new
   * reason), the SIEM unavailable, a route no longer configured, or no events.
   */
  remaining: Array<Pick<DeadLetterRecord, 'reason' | 'detail' | 'realm' | 'stream' | 'batchId'> & { events: number }>;
  /** Records past `max`, left in the file as they were: not tried, so not a failure. */
  untried: number;
}

/**
 * The route a record was dead-lettered by: the local consumer prefixes the detail of every route
 * but the default one with `route <name>: `.
 */
export function routeOfRecord(record: Pick<DeadLetterRecord, 'detail'>): string {
  return /^route (\S+): /.exec(record.detail)?.[1] ?? DEFAULT_ROUTE_NAME;
}

/**
 * Delivers the dead-lettered events of the file again through the route that refused them (one
 * attempt per record; a SIEM that asks to retry keeps the record), redacted as the route's
 * settings say but never twice (lib/core/pipeline/redaction-at-rest.ts), and rewrites the file
 * atomically with what was not delivered. A record of a route no longer configured stays.
 * Records appended meanwhile (by a backfill) are kept: the file is re-read before the rewrite.
 * The caller holds the state directory's lock, so `run` does not append meanwhile.
 */
export async function redriveDeadLetterFile(options: { path: string; routes: readonly Route[]; clock: Clock; max?: number }): Promise<LocalRedriveResult> {
  const { text, records } = await readDeadLetterFile(options.path);
  const kept: DeadLetterRecord[] = [];
  const notDelivered: DeadLetterRecord[] = [];
  const result: LocalRedriveResult = { delivered: 0, redaction: { 'as-stored': 0, 'in-clear': 0, 'other-settings': 0 }, remaining: [], untried: 0 };
  for (const [index, record] of records.entries()) {
    if (index >= (options.max ?? Number.POSITIVE_INFINITY)) {
      kept.push(record);
      result.untried += 1;
      continue;
    }
    const routeName = routeOfRecord(record);
    const route = options.routes.find(({ name }) => name === routeName);
    if (record.events.length === 0 || !route) {
      kept.push(record);
      notDelivered.push(record);
      continue;
    }
    const stream = record.stream as Stream;
    const stored = record.events as MpasEvent[];
    const keys = stored.map((event) => (event !== null && typeof event === 'object' ? eventKey(event) : String(event)));
    // Brought to the route's redaction first: whatever stays in the file afterwards is redacted.
    const { events, redact, treatment } = redactionForRedrive(stored, stream, record.redaction, route.stages);
    result.redaction[treatment] += 1;
    const redaction = route.stages.atRest?.fingerprint;
    const batch: EventBatch = { v: 1, tenant: record.tenant, realm: record.realm, stream, batchId: batchIdFor(record.tenant, record.realm, stream, keys), events };
    const outcome = await forwardBatch(batch, { ...route.stages, redact });
    result.delivered += outcome.delivered + outcome.filtered;
    const at = new Date(options.clock.now()).toISOString();
    const refused = outcome.deadLetters.map((deadLetter) => {
      const detail = routeName === DEFAULT_ROUTE_NAME ? deadLetter.detail : `route ${routeName}: ${deadLetter.detail}`;
      return marked({ ...record, at, reason: deadLetter.reason, detail, events: deadLetter.events }, deadLetter.redaction);
    });
    // The SIEM is unavailable right now: the undelivered rest stays, with why it was here.
    const undelivered = outcome.retry ? [...refused, marked({ ...record, events: outcome.retry.batch.events }, redaction)] : refused;
    kept.push(...undelivered);
    notDelivered.push(...undelivered);
  }
  for (const record of notDelivered) result.remaining.push({ reason: record.reason, detail: record.detail, realm: record.realm, stream: record.stream, batchId: record.batchId, events: record.events.length });
  const now = await readDeadLetterFile(options.path);
  const appended = now.text.startsWith(text) ? now.text.slice(text.length) : '';
  const content = kept.map((record) => JSON.stringify(record)).join('\n') + (kept.length > 0 ? '\n' : '') + appended;
  writeFileAtomic(options.path, content, { pid: process.pid, mode: 0o600 });
  return result;
}

function marked(record: DeadLetterRecord, redaction: string | undefined): DeadLetterRecord {
  const { redaction: _before, ...rest } = record;
  return redaction === undefined ? rest : { ...rest, redaction };
}
