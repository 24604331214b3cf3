import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { generateEvents } from '../../devtools/generators/event-generator.js';
import { eventKey } from '../../lib/core/events/event-key.js';
import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import { createOcsfFormatter } from '../../lib/core/formats/ocsf/ocsf-formatter.js';
import { SECURITY_LAKE_OCSF_VERSION } from '../../lib/core/formats/ocsf/ocsf-version.js';
import { ocsfClassColumns } from '../../lib/sinks/security-lake/ocsf-class-columns.js';
import type { ClassColumns } from '../../lib/sinks/security-lake/ocsf-columns.js';
import { createSecurityLakeSink } from '../../lib/sinks/security-lake/security-lake-sink.js';
import type { OutboundEvent, Sink } from '../../lib/sinks/sink.js';
import { uniqueName } from './aws-fixtures.js';
import { readParquetFile } from './parquet-reader.js';

/** A lake's bucket and a staging area's, made anew on the emulator `s3` speaks to. */
export async function lakeAndStagingBuckets(s3: S3Client): Promise<{ lake: string; staging: string }> {
  const lake = uniqueName('lake');
  const staging = uniqueName('staging');
  await s3.send(new CreateBucketCommand({ Bucket: lake }));
  await s3.send(new CreateBucketCommand({ Bucket: staging }));
  return { lake, staging };
}

/** The security-lake sink as the tests build it: `s3` for both buckets, one try per PUT. */
export function testLakeSink(
  s3: S3Client,
  options: {
    lake: string;
    staging: string;
    prefix: string;
    sources: ReadonlyMap<number, string>;
    columnsOf: (classUid: number) => ClassColumns | undefined;
    location?: { region: string; accountId: string };
    concurrency?: number;
  },
): Sink {
  return createSecurityLakeSink({
    location: { bucket: options.lake, ...(options.location ?? { region: 'us-east-1', accountId: '123456789012' }) },
    sources: options.sources,
    columnsOf: options.columnsOf,
    timeoutMs: 10_000,
    attempts: 1,
    concurrency: options.concurrency ?? 2,
    createdBy: 'mpas-log-sync test',
    staging: { bucket: options.staging, prefix: options.prefix },
    client: s3,
    stagingClient: s3,
  });
}

const formatter = createOcsfFormatter({ version: 'test', ocsfVersion: SECURITY_LAKE_OCSF_VERSION });

/**
 * Generated user and admin events of one realm as the security-lake destination's pipeline hands
 * them to its sink: OCSF 1.3.0 documents, in time order (event `i` at `startTime + i * spacingMs`).
 */
export function lakeOutboundEvents(options: { seed: number; count: number; startTime: number; spacingMs: number; adminShare?: number }): OutboundEvent[] {
  const generated = generateEvents({ seed: options.seed, realm: 'acme', count: options.count, startTime: options.startTime, spacingMs: options.spacingMs, adminShare: options.adminShare ?? 0.3 });
  const outbound = (stream: Stream, event: MpasEvent): OutboundEvent => {
    const key = eventKey(event);
    return { key, time: event.time, realm: 'acme', stream, payload: formatter.encode(event, { tenant: 't', realm: 'acme', stream, key }) };
  };
  return [...generated.user.map((event) => outbound('user', event)), ...generated.admin.map((event) => outbound('admin', event))].sort((a, b) => a.time - b.time);
}

/** Every object under a prefix: key, size, and when it was written. */
export async function listObjects(s3: S3Client, bucket: string, prefix = ''): Promise<Array<{ key: string; size: number }>> {
  const objects: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const { Key, Size } of page.Contents ?? []) objects.push({ key: Key!, size: Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return objects;
}

/** An object's bytes. */
export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToByteArray();
}

/** A row as the OCSF document it came from: absent attributes instead of nulls, JSON-text columns parsed. */
export function documentOf(row: Record<string, unknown>, classUid: number): Record<string, unknown> {
  const jsonColumns = Object.entries(ocsfClassColumns(classUid)!)
    .filter(([, column]) => column.kind === 'json')
    .map(([name]) => name);
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, member]) => member !== null)
        .map(([key, member]) => [key, strip(member)]),
    );
  };
  const parsed = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, jsonColumns.includes(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value]));
  return strip(parsed) as Record<string, unknown>;
}

/** One lake file as read back by the independent reader: its OCSF documents and its codecs. */
export interface LakeFile {
  key: string;
  size: number;
  classUid: number;
  documents: Array<Record<string, unknown>>;
  codecs: string[];
}

/** Every lake file under `ext/` of the bucket, read with parquet-wasm. */
export async function readLakeFiles(s3: S3Client, bucket: string): Promise<LakeFile[]> {
  const files: LakeFile[] = [];
  for (const { key, size } of await listObjects(s3, bucket, 'ext/')) {
    const classUid = Number(/\/mpas-(\d+)-[0-9a-f]{32}\.parquet$/.exec(key)?.[1]);
    const { rows, codecs } = await readParquetFile(await objectBytes(s3, bucket, key));
    files.push({ key, size, classUid, documents: rows.map((row) => documentOf(row, classUid)), codecs });
  }
  return files;
}
