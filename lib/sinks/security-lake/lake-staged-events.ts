import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import * as z from 'zod';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** One event as a staged object holds it: its time and key (for sorting and duplicates) and its OCSF record. */
export interface StagedEvent {
  readonly time: number;
  readonly key: string;
  readonly record: Readonly<Record<string, unknown>>;
}

/** An event to stage: the OCSF record as the formatter wrote it, one JSON object. */
export interface EventToStage {
  readonly time: number;
  readonly key: string;
  /** A JSON object (the sink checked it). */
  readonly payload: string;
}

const stagedLine = z.strictObject({
  time: z.number().refine(Number.isFinite, { error: 'must be a finite number' }),
  key: z.string(),
  record: z.record(z.string(), z.unknown()),
});

/**
 * A staged object's body: one JSON line per event, `{"time":<ms>,"key":"<event key>","record":<OCSF>}`,
 * in the order given, gzip-compressed. The payload goes in as the formatter wrote it; only one that
 * spans lines (not what the ocsf format writes) is written again on one line.
 */
export async function encodeStagedEvents(events: readonly EventToStage[]): Promise<Uint8Array> {
  let text = '';
  for (const { time, key, payload } of events) {
    const record = payload.includes('\n') || payload.includes('\r') ? JSON.stringify(JSON.parse(payload)) : payload;
    text += `{"time":${JSON.stringify(time)},"key":${JSON.stringify(key)},"record":${record}}\n`;
  }
  return new Uint8Array(await gzip(text));
}

/** A staged object whose body is not what {@link encodeStagedEvents} writes: names the object and the line. */
export class StagedObjectError extends Error {
  override readonly name = 'StagedObjectError';
}

/** The events of a staged object's body; throws a {@link StagedObjectError} naming `key` and the line at fault. */
export async function decodeStagedEvents(body: Uint8Array, key: string): Promise<StagedEvent[]> {
  let text: string;
  try {
    text = (await gunzip(body)).toString('utf8');
  } catch (error) {
    throw new StagedObjectError(`staged object ${key}: not gzip (${error instanceof Error ? error.message : String(error)})`);
  }
  const events: StagedEvent[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line += 1;
    if (end > start) {
      let value: unknown;
      try {
        value = JSON.parse(text.slice(start, end));
      } catch {
        throw new StagedObjectError(`staged object ${key}, line ${line}: not JSON`);
      }
      const parsed = stagedLine.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new StagedObjectError(`staged object ${key}, line ${line}: ${issue?.path.join('.') || '(line)'} ${issue?.message ?? 'is invalid'}`);
      }
      events.push(parsed.data);
    }
    start = end + 1;
  }
  return events;
}
