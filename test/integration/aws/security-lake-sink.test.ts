import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { decodeStagedEvents } from '../../../lib/sinks/security-lake/lake-staged-events.js';
import type { StagedEvent } from '../../../lib/sinks/security-lake/lake-staged-events.js';
import type { ClassColumns } from '../../../lib/sinks/security-lake/ocsf-columns.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { lakeAndStagingBuckets, listObjects, objectBytes, testLakeSink } from '../../support/lake-fixtures.js';

const COLUMNS: ClassColumns = {
  class_uid: { kind: 'long' },
  time: { kind: 'long' },
  user: { kind: 'struct', fields: { name: { kind: 'string' } } },
};
const SOURCES = new Map([[3002, 'mpas-authentication'], [3001, 'mpas-account-change']]);
const DAY_1 = Date.parse('2025-03-04T23:59:58.000Z');
const DAY_2 = Date.parse('2025-03-05T00:00:02.000Z');
const PREFIX = 'mpas-log-sync-staging/';

function event(key: string, time: number, classUid: number, name: string): OutboundEvent {
  return { key, time, realm: 'acme', stream: 'user', payload: JSON.stringify({ class_uid: classUid, time, user: { name } }) };
}

const BATCH = [
  event('k1', DAY_1 + 1, 3002, 'carol'),
  event('k2', DAY_1, 3002, 'alice'),
  event('k3', DAY_2, 3002, 'dave'),
  event('k4', DAY_1, 3001, 'bob'),
];

const staged = (key: string, time: number, classUid: number, name: string): StagedEvent => ({ time, key, record: { class_uid: classUid, time, user: { name } } });

describe('the Security Lake sink stages each delivery\'s events for the compactor, on the fauxqs S3 emulator', () => {
  let s3: S3Client;
  let lake: string;
  let staging: string;
  let sink: Sink;

  const sinkFor = (lakeBucket: string, stagingBucket: string): Sink =>
    testLakeSink(s3, { lake: lakeBucket, staging: stagingBucket, prefix: PREFIX, sources: SOURCES, columnsOf: () => COLUMNS });

  beforeEach(async () => {
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    ({ lake, staging } = await lakeAndStagingBuckets(s3));
    sink = sinkFor(lake, staging);
  });

  afterEach(async () => {
    await sink?.close();
    s3?.destroy();
  });

  async function stagedObjects(bucket = staging): Promise<Map<string, StagedEvent[]>> {
    const objects = new Map<string, StagedEvent[]>();
    for (const { key } of await listObjects(s3, bucket)) objects.set(key, await decodeStagedEvents(await objectBytes(s3, bucket, key), key));
    return objects;
  }

  it('stages one object per class and day, nothing in the lake, and a retry of the batch stages the same objects again', async () => {
    const delivery = await sink.deliver(BATCH);
    expect(delivery).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(delivery.latenciesMs).toHaveLength(3);
    const written = await stagedObjects();
    const byFolder = new Map([...written].map(([key, events]) => [key.slice(0, key.lastIndexOf('/') + 1), events]));
    expect(byFolder).toEqual(
      new Map([
        [`${PREFIX}staged/mpas-account-change/eventDay=20250304/`, [staged('k4', DAY_1, 3001, 'bob')]],
        [`${PREFIX}staged/mpas-authentication/eventDay=20250304/`, [staged('k2', DAY_1, 3002, 'alice'), staged('k1', DAY_1 + 1, 3002, 'carol')]],
        [`${PREFIX}staged/mpas-authentication/eventDay=20250305/`, [staged('k3', DAY_2, 3002, 'dave')]],
      ]),
    );
    for (const key of written.keys()) expect(key).toMatch(/\/[0-9a-f]{32}\.jsonl\.gz$/);
    expect(await listObjects(s3, lake)).toEqual([]);

    // SQS delivers at least once: the same batch again, in another order, overwrites the same objects.
    expect(await sink.deliver([...BATCH].reverse())).toMatchObject({ retry: [], dropped: [] });
    expect([...(await stagedObjects()).keys()].sort()).toEqual([...written.keys()].sort());
  });

  it('sends every event of a file S3 refused back for a retry, which stages it once the bucket is there', async () => {
    const missing = uniqueName('no-staging');
    const failing = sinkFor(lake, missing);
    const delivery = await failing.deliver(BATCH);
    expect(delivery.retry).toEqual([0, 1, 2, 3]);
    expect(delivery.dropped).toEqual([]);
    expect(delivery.errors).toHaveLength(3);
    expect(delivery.errors[0]).toMatchObject({ status: 404, auth: false });
    expect(delivery.errors[0]!.reason).toMatch(new RegExp(`^S3 PutObject s3://${missing}/${PREFIX}staged/mpas-.*: HTTP 404 NoSuchBucket`));
    expect(await failing.healthcheck()).toEqual({ ok: false, detail: `S3 HeadBucket: no staging bucket ${missing} (SECURITY_LAKE_STAGING_BUCKET, SECURITY_LAKE_STAGING_REGION)` });
    expect(await sinkFor(missing, staging).healthcheck()).toEqual({ ok: false, detail: `S3 HeadBucket: no lake bucket ${missing} in us-east-1 (SECURITY_LAKE_BUCKET, SECURITY_LAKE_REGION)` });

    await s3.send(new CreateBucketCommand({ Bucket: missing }));
    expect(await failing.deliver(delivery.retry.map((index) => BATCH[index]!))).toMatchObject({ retry: [], dropped: [], errors: [] });
    expect(await failing.healthcheck()).toMatchObject({ ok: true });
    expect(await listObjects(s3, missing)).toHaveLength(3);
  });

  it('drops what it cannot store and stages the rest', async () => {
    const delivery = await sink.deliver([event('k1', DAY_1, 3002, 'alice'), { ...event('k2', DAY_1, 3002, 'x'), payload: '{"class_uid":3002,"actor":{}}' }]);
    expect(delivery).toMatchObject({ retry: [], dropped: [{ index: 1, reason: 'OCSF class 3002: actor: not an attribute of the class schema' }] });
    expect([...(await stagedObjects()).values()]).toEqual([[staged('k1', DAY_1, 3002, 'alice')]]);
  });
});
