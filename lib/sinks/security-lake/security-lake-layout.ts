import { createHash } from 'node:crypto';

/** Where a custom source's files go: Security Lake's bucket, and the partition values of this writer. */
export interface LakeLocation {
  bucket: string;
  /** The Region the data is uploaded to (the `region=` partition). */
  region: string;
  /** The account the records pertain to (the `accountId=` partition): 12 digits, or `external...`. */
  accountId: string;
}

/** The `eventDay=` partition of a record: the UTC day of its time, `yyyyMMdd`. */
export function eventDayOf(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The folder of one custom source's day, as Security Lake's custom-source layout names it:
 * `ext/<sourceName>/region=<region>/accountId=<account>/eventDay=<yyyyMMdd>/`.
 */
export function partitionPrefix(location: LakeLocation, sourceName: string, eventDay: string): string {
  return `ext/${sourceName}/region=${location.region}/accountId=${location.accountId}/eventDay=${eventDay}/`;
}

/** What identifies one file: the records' class and day, and the events it holds. */
export interface FileIdentity {
  classUid: number;
  eventDay: string;
  /** Realm, stream and key of each event in the file, in any order. */
  events: ReadonlyArray<{ realm: string; stream: string; key: string }>;
}

/**
 * The hash of what identifies a file (32 hex digits): a retry of the same events (the same batch,
 * or the part of it that failed, which is always whole files) gets the same hash, and so writes
 * the same object again instead of adding a second one; two different sets of events never share
 * a hash. The forwarder names its staged objects with it (lake-staging.ts).
 */
export function fileHashOf(identity: FileIdentity): string {
  const hash = createHash('sha256');
  hash.update(`${identity.classUid}\n${identity.eventDay}\n`);
  const lines = identity.events.map(({ realm, stream, key }) => `${JSON.stringify(realm)} ${stream} ${JSON.stringify(key)}`).sort();
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * The object key of a lake file: `mpas-<class>-<hash>.parquet` in its source's partition, the
 * hash naming what the file holds (the compactor's output hash, lake-compactor.ts).
 */
export function lakeObjectKeyOf(location: LakeLocation, sourceName: string, eventDay: string, classUid: number, hash: string): string {
  return `${partitionPrefix(location, sourceName, eventDay)}mpas-${classUid}-${hash}.parquet`;
}
