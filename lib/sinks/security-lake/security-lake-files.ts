import type { OutboundEvent } from '../sink.js';
import type { ClassColumns } from './ocsf-columns.js';
import { RecordShapeError, storedRecordOf } from './parquet-file.js';
import { eventDayOf, fileHashOf } from './security-lake-layout.js';
import type { LakeLocation } from './security-lake-layout.js';

/** What decides where a record goes and how it is stored. */
export interface LakeFilePlanning {
  location: LakeLocation;
  /** The custom source of each OCSF class, by `class_uid`. */
  sources: ReadonlyMap<number, string>;
  /** The Parquet columns of a class; undefined for a class this build has no schema of. */
  columnsOf(classUid: number): ClassColumns | undefined;
}

/** One file to stage: events of one class and one day, ordered by time then key. */
export interface PlannedFile {
  /** The custom source of the class. */
  sourceName: string;
  classUid: number;
  /** The UTC day of the events, `yyyyMMdd`. */
  eventDay: string;
  /** Names the file after the events it holds (security-lake-layout.ts fileHashOf). */
  hash: string;
  /** The indices, in the delivery's input, of the events the file holds (all succeed or fail together). */
  indices: number[];
}

/** The files a delivery writes, and the events that go to none (with why). */
export interface FilePlan {
  files: PlannedFile[];
  dropped: Array<{ index: number; reason: string }>;
}

/**
 * Splits a delivery into files: one per OCSF class (each class is its own custom source) and UTC
 * day of the events' `time` (the `eventDay` partition). An event whose payload is no OCSF object,
 * whose class has no custom source or schema, or whose attributes the class does not take, is
 * dropped with the reason; the others still go.
 */
export function planLakeFiles(events: readonly OutboundEvent[], planning: LakeFilePlanning): FilePlan {
  const groups = new Map<string, { classUid: number; eventDay: string; sourceName: string; members: number[] }>();
  const dropped: FilePlan['dropped'] = [];
  events.forEach((event, index) => {
    const parsed = parseRecord(event.payload);
    if (typeof parsed === 'string') {
      dropped.push({ index, reason: parsed });
      return;
    }
    const classUid = parsed['class_uid'] as number;
    const sourceName = planning.sources.get(classUid);
    if (sourceName === undefined) {
      dropped.push({ index, reason: `OCSF class ${classUid} has no custom source: add it to SECURITY_LAKE_SOURCES (siem.securityLake.sources)` });
      return;
    }
    const columns = planning.columnsOf(classUid);
    if (columns === undefined) {
      dropped.push({ index, reason: `OCSF class ${classUid}: this version has no Parquet schema of it` });
      return;
    }
    try {
      // Checked here, where a record that does not fit can still be set apart with its reason:
      // the compactor converts it again, when it writes the Parquet file.
      storedRecordOf(parsed, columns);
    } catch (error) {
      if (!(error instanceof RecordShapeError)) throw error;
      dropped.push({ index, reason: `OCSF class ${classUid}: ${error.message}` });
      return;
    }
    const eventDay = eventDayOf(event.time);
    const groupKey = `${classUid}/${eventDay}`;
    let group = groups.get(groupKey);
    if (group === undefined) {
      group = { classUid, eventDay, sourceName, members: [] };
      groups.set(groupKey, group);
    }
    group.members.push(index);
  });

  const files: PlannedFile[] = [];
  for (const { classUid, eventDay, sourceName, members } of groups.values()) {
    // Security Lake: records ordered by time within an object, which makes its queries cheaper.
    members.sort((a, b) => events[a]!.time - events[b]!.time || compareText(events[a]!.key, events[b]!.key));
    const hash = fileHashOf({ classUid, eventDay, events: members.map((index) => events[index]!) });
    files.push({ sourceName, classUid, eventDay, hash, indices: members });
  }
  return { files, dropped };
}

/** The payload as an OCSF record, or why it is none. */
function parseRecord(payload: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return 'the payload is not JSON: the security-lake type takes the ocsf format only';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the payload is not a JSON object: the security-lake type takes the ocsf format only';
  const record = value as Record<string, unknown>;
  if (!Number.isSafeInteger(record['class_uid'])) return 'the payload has no integer class_uid: the security-lake type takes the ocsf format only';
  return record;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
