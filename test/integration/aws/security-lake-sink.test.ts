import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ClassColumns } from '../../../lib/sinks/security-lake/ocsf-columns.js';
import { createSecurityLakeSink } from '../../../lib/sinks/security-lake/security-lake-sink.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { readParquetFile } from '../../support/parquet-reader.js';

const COLUMNS: ClassColumns = {
  class_uid: { kind: 'long' },
  time: { kind: 'long' },
  user: { kind: 'struct', fields: { name: { kind: 'string' } } },
};
const SOURCES = new Map([[3002, 'mpas-authentication'], [3001, 'mpas-account-change']]);
const DAY_1 = Date.parse('2025-03-04T23:59:58.000Z');
const DAY_2 = Date.parse('2025-03-05T00:00:02.000Z');

function event(key: string, time: number, classUid: number, name: string): OutboundEvent {
  return { key, time, realm: 'acme', stream: 'user', payload: JSON.stringify({ class_uid: classUid, time, user: { name } }) };
}

const BATCH = [
  event('k1', DAY_1 + 1, 3002, 'carol'),
  event('k2', DAY_1, 3002, 'alice'),
  event('k3', DAY_2, 3002, 'dave'),
  event('k4', DAY_1, 3001, 'bob'),
];

describe('the Security Lake sink writes Parquet files to the custom sources\' partitions, on the fauxqs S3 emulator', () => {
  let s3: S3Client;
  let bucket: string;
  let sink: Sink;

  const sinkFor = (bucketName: string): Sink =>
    createSecurityLakeSink({
      location: { bucket: bucketName, region: 'us-east-1', accountId: '123456789012' },
      sources: SOURCES,
      columnsOf: () => COLUMNS,
      timeoutMs: 10_000,
      attempts: 1,
      concurrency: 2,
      createdBy: 'mpas-log-sync test',
      client: s3,
    });

  beforeEach(async () => {
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    bucket = uniqueName('lake');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    sink = sinkFor(bucket);
  });

  afterEach(async () => {
    await sink?.close();
    s3?.destroy();
  });

  async function objects(): Promise<Map<string, Array<Record<string, unknown>>>> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const files = new Map<string, Array<Record<string, unknown>>>();
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      files.set(Key!, (await readParquetFile(await object.Body!.transformToByteArray())).rows);
    }
    return files;
  }

  it('writes one file per class and day, and a retry of the batch leaves the same files', async () => {
    const delivery = await sink.deliver(BATCH);
    expect(delivery).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(delivery.latenciesMs).toHaveLength(3);
    const written = await objects();
    const byFolder = new Map([...written].map(([key, rows]) => [key.slice(0, key.lastIndexOf('/') + 1), rows]));
    expect(byFolder).toEqual(
      new Map([
        ['ext/mpas-account-change/region=us-east-1/accountId=123456789012/eventDay=20250304/', [{ class_uid: 3001, time: DAY_1, user: { name: 'bob' } }]],
        ['ext/mpas-authentication/region=us-east-1/accountId=123456789012/eventDay=20250304/', [{ class_uid: 3002, time: DAY_1, user: { name: 'alice' } }, { class_uid: 3002, time: DAY_1 + 1, user: { name: 'carol' } }]],
        ['ext/mpas-authentication/region=us-east-1/accountId=123456789012/eventDay=20250305/', [{ class_uid: 3002, time: DAY_2, user: { name: 'dave' } }]],
      ]),
    );
    for (const key of written.keys()) expect(key).toMatch(/\/mpas-300[12]-[0-9a-f]{32}\.parquet$/);

    // SQS delivers at least once: the same batch again, in another order, overwrites the same objects.
    expect(await sink.deliver([...BATCH].reverse())).toMatchObject({ retry: [], dropped: [] });
    expect([...(await objects()).keys()].sort()).toEqual([...written.keys()].sort());
  });

  it('sends every event of a file S3 refused back for a retry, which writes it once the bucket is there', async () => {
    const missing = uniqueName('no-lake');
    const failing = sinkFor(missing);
    const delivery = await failing.deliver(BATCH);
    expect(delivery.retry).toEqual([0, 1, 2, 3]);
    expect(delivery.dropped).toEqual([]);
    expect(delivery.errors).toHaveLength(3);
    expect(delivery.errors[0]).toMatchObject({ status: 404, auth: false });
    expect(delivery.errors[0]!.reason).toMatch(new RegExp(`^S3 PutObject s3://${missing}/ext/mpas-.*: HTTP 404 NoSuchBucket`));
    expect(await failing.healthcheck()).toEqual({ ok: false, detail: `S3 HeadBucket: no bucket ${missing} in us-east-1 (SECURITY_LAKE_BUCKET, SECURITY_LAKE_REGION)` });

    await s3.send(new CreateBucketCommand({ Bucket: missing }));
    expect(await failing.deliver(delivery.retry.map((index) => BATCH[index]!))).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(await failing.healthcheck()).toMatchObject({ ok: true });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: missing }));
    expect(listed.KeyCount).toBe(3);
  });

  it('drops what it cannot store and writes the rest', async () => {
    const delivery = await sink.deliver([event('k1', DAY_1, 3002, 'alice'), { ...event('k2', DAY_1, 3002, 'x'), payload: '{"class_uid":3002,"actor":{}}' }]);
    expect(delivery).toMatchObject({ retry: [], dropped: [{ index: 1, reason: 'OCSF class 3002: actor: not an attribute of the class schema' }] });
    expect([...(await objects()).values()]).toEqual([[{ class_uid: 3002, time: DAY_1, user: { name: 'alice' } }]]);
  });
});
