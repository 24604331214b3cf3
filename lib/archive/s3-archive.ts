import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { dayOf } from './archive-record.js';
import type { ArchiveRecord } from './archive-record.js';
import { ArchiveError } from './archive-store.js';
import type { ArchiveQuery, ArchiveReader, ArchiveStore, ArchiveUnit } from './archive-store.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Where an S3 archive lives. */
export interface S3ArchiveLocation {
  bucket: string;
  /** Key prefix; a trailing `/` is added when missing. */
  prefix: string;
}

/** Reads `s3://bucket/prefix` (as the report command takes it). */
export function parseS3Url(url: string): S3ArchiveLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new ArchiveError('location', `"${url}" is not an S3 location such as s3://my-bucket/audit-events/`);
  return { bucket: match[1] as string, prefix: match[2] ?? '' };
}

/**
 * The event archive on S3: gzip-compressed NDJSON, one object per queue batch and day, under
 * Hive-style date partitions (`<prefix>date=2026-11-22/<batch id>.ndjson.gz`) that Athena reads
 * as a partitioned table. The object is named by the batch id, so a batch archived again
 * replaces its own object. Reports read only the partitions their date window needs.
 */
export class S3Archive implements ArchiveStore, ArchiveReader {
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    readonly location: S3ArchiveLocation,
  ) {
    this.prefix = location.prefix === '' || location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/`;
  }

  async write(units: readonly ArchiveUnit[]): Promise<void> {
    for (const unit of units) {
      const byDay = new Map<string, ArchiveRecord[]>();
      for (const record of unit.records) byDay.set(dayOf(record.date), [...(byDay.get(dayOf(record.date)) ?? []), record]);
      for (const [day, records] of byDay) {
        const body = await gzipAsync(records.map((record) => JSON.stringify(record)).join('\n') + '\n');
        await this.send('PutObject', new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: `${this.prefix}date=${day}/${unit.id}.ndjson.gz`,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }));
      }
    }
  }

  async deleteOlderThan(cutoff: string): Promise<number> {
    const cutoffDay = dayOf(cutoff);
    let deleted = 0;
    // Whole days only: the day of the cutoff itself is kept until it is entirely past.
    for (const day of (await this.days()).filter((day) => day < cutoffDay)) {
      const keys = await this.keysOf(day);
      for (let start = 0; start < keys.length; start += 1000) {
        const chunk = keys.slice(start, start + 1000);
        await this.send('DeleteObjects', new DeleteObjectsCommand({ Bucket: this.location.bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
        deleted += chunk.length;
      }
    }
    return deleted;
  }

  async read(query: ArchiveQuery): Promise<ArchiveRecord[]> {
    const fromDay = query.from === undefined ? undefined : dayOf(query.from);
    // `to` is exclusive: a window ending at midnight needs nothing of the day that starts then.
    const toDay = query.to === undefined ? undefined : dayOf(new Date(Date.parse(query.to) - 1).toISOString());
    const days = (await this.days()).filter((day) => (fromDay === undefined || day >= fromDay) && (toDay === undefined || day <= toDay));
    days.sort();
    if (query.order === 'desc') days.reverse();
    const found: ArchiveRecord[] = [];
    for (const day of days) {
      for (const key of await this.keysOf(day)) {
        for (const record of await this.recordsOf(key)) {
          if ((query.from === undefined || record.date >= query.from) && (query.to === undefined || record.date < query.to)) found.push(record);
        }
      }
      // Days are read in the report's order: once one holds enough, the older (or newer) ones cannot rank higher.
      if (found.length >= query.limit) break;
    }
    const unique = [...new Map(found.map((record) => [record.key, record])).values()];
    unique.sort((a, b) => (a.date === b.date ? a.key.localeCompare(b.key) : a.date < b.date ? -1 : 1));
    if (query.order === 'desc') unique.reverse();
    return unique.slice(0, query.limit);
  }

  async close(): Promise<void> {}

  /** The date partitions present, as `YYYY-MM-DD`. */
  private async days(): Promise<string[]> {
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send<ListObjectsV2CommandOutput>('ListObjectsV2', new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: `${this.prefix}date=`, Delimiter: '/', ContinuationToken: token }));
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const day = /date=(\d{4}-\d{2}-\d{2})\/$/.exec(Prefix ?? '')?.[1];
        if (day) days.push(day);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return days;
  }

  private async keysOf(day: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send<ListObjectsV2CommandOutput>('ListObjectsV2', new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: `${this.prefix}date=${day}/`, ContinuationToken: token }));
      for (const { Key } of page.Contents ?? []) if (Key) keys.push(Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async recordsOf(key: string): Promise<ArchiveRecord[]> {
    const object = await this.send<GetObjectCommandOutput>('GetObject', new GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
    const bytes = await object.Body?.transformToByteArray();
    if (!bytes) return [];
    // Some clients undo Content-Encoding: gzip themselves; the magic bytes tell.
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipAsync(bytes) : Buffer.from(bytes)).toString('utf8');
    try {
      return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ArchiveRecord);
    } catch (error) {
      throw new ArchiveError('read', `s3://${this.location.bucket}/${key} is not NDJSON`, { cause: error });
    }
  }

  private async send<T = unknown>(action: string, command: { input: unknown }): Promise<T> {
    try {
      return (await this.client.send(command as never)) as T;
    } catch (error) {
      throw new ArchiveError(action, `${error instanceof Error ? error.message : String(error)} (s3://${this.location.bucket}/${this.prefix})`, { cause: error });
    }
  }
}
