import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { SECURITY_LAKE_OCSF_VERSION } from '../../../lib/core/formats/ocsf/ocsf-version.js';
import { DEFAULT_SECURITY_LAKE_SOURCES } from '../../../lib/sinks/security-lake/config.js';
import { Semaphore } from '../../../lib/sinks/semaphore.js';
import { compactLake, DEFAULT_MAX_FILE_BYTES, DEFAULT_TOMBSTONE_RETENTION_MS, TOMBSTONE_EXPIRY_INTERVAL_MS } from '../../../lib/sinks/security-lake/lake-compactor.js';
import { tombstoneExpiryKeyOf, tombstoneKeyOf } from '../../../lib/sinks/security-lake/lake-staging.js';
import type { CompactionReport, CompactionStep, LakeCompactorOptions } from '../../../lib/sinks/security-lake/lake-compactor.js';
import { ocsfClassColumns } from '../../../lib/sinks/security-lake/ocsf-class-columns.js';
import { planLakeFiles } from '../../../lib/sinks/security-lake/security-lake-files.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { lakeAndStagingBuckets, lakeOutboundEvents, listObjects, objectBytes, readLakeFiles, testLakeSink } from '../../support/lake-fixtures.js';
import type { LakeFile } from '../../support/lake-fixtures.js';
import { ocsfProblems } from '../../support/ocsf-validator.js';

const LOCATION = { region: 'eu-west-1', accountId: '111122223333' };
const SOURCES = new Map(Object.entries(DEFAULT_SECURITY_LAKE_SOURCES).map(([classUid, source]) => [Number(classUid), source]));
const PREFIX = 'mpas-log-sync-staging/';
// 10 minutes before a UTC midnight, an event every 5 s: 240 events on two days.
const START = Date.parse('2025-03-04T23:50:00.000Z');
const EVENTS = lakeOutboundEvents({ seed: 22, count: 240, startTime: START, spacingMs: 5_000 });
/** Four queue messages of 60 events each. */
const MESSAGES = [0, 1, 2, 3].map((message) => EVENTS.slice(message * 60, message * 60 + 60));
const NO_WORK: CompactionReport = { filesWritten: 0, eventsWritten: 0, stagedConsumed: 0, duplicatesDropped: 0, manifestsResumed: 0, tombstonesExpired: 0, bytesWritten: 0 };
const DAY_MS = 86_400_000;
const dayOf = (time: number): string => new Date(time).toISOString().slice(0, 10).replaceAll('-', '');

const classOf = (event: OutboundEvent): number => (JSON.parse(event.payload) as { class_uid: number }).class_uid;

/** An S3 client of the emulator that counts the requests it sends, by command, each attempt once. */
function countingClient(): { client: S3Client; counts: Map<string, number> } {
  const client = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    // After the retry middleware: a retried request counts again.
    { step: 'deserialize', name: 'countRequests' },
  );
  return { client, counts };
}

describe('the lake compactor makes one Parquet file per source and day of what the sink staged, on the fauxqs S3 emulator', () => {
  let s3: S3Client;
  let lake: string;
  let staging: string;
  let sink: Sink;

  beforeEach(async () => {
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    ({ lake, staging } = await lakeAndStagingBuckets(s3));
    sink = testLakeSink(s3, { lake, staging, prefix: PREFIX, sources: SOURCES, columnsOf: ocsfClassColumns, location: LOCATION, concurrency: 4 });
  });

  afterEach(async () => {
    await sink?.close();
    s3?.destroy();
  });

  const compact = (options: Partial<LakeCompactorOptions> = {}): Promise<CompactionReport> =>
    compactLake({
      location: { bucket: lake, ...LOCATION },
      sources: SOURCES,
      columnsOf: ocsfClassColumns,
      lakeClient: s3,
      stagingClient: s3,
      staging: { bucket: staging, prefix: PREFIX },
      createdBy: 'mpas-log-sync test',
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      tombstoneRetentionMs: DEFAULT_TOMBSTONE_RETENTION_MS,
      ...options,
    });

  async function deliver(events: readonly OutboundEvent[]): Promise<void> {
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
  }

  const keysUnder = async (bucket: string, prefix: string): Promise<string[]> => (await listObjects(s3, bucket, prefix)).map(({ key }) => key);

  /** The lake's files, each checked: OCSF 1.3.0 of its class, on its partition's day, sorted by time, zstd. */
  async function lakeFiles(): Promise<LakeFile[]> {
    const files = await readLakeFiles(s3, lake);
    for (const file of files) {
      const match = /^ext\/([^/]+)\/region=eu-west-1\/accountId=111122223333\/eventDay=(\d{8})\/mpas-(\d{4})-[0-9a-f]{32}\.parquet$/.exec(file.key);
      expect(match, file.key).not.toBeNull();
      expect(SOURCES.get(file.classUid), file.key).toBe(match![1]);
      expect(file.codecs).toEqual(['ZSTD']);
      for (const document of file.documents) {
        expect(document['class_uid'], file.key).toBe(file.classUid);
        expect(ocsfProblems(document as { class_uid: number }, SECURITY_LAKE_OCSF_VERSION), file.key).toEqual([]);
        expect(dayOf(document['time'] as number), file.key).toBe(match![2]);
      }
      const times = file.documents.map((document) => document['time'] as number);
      expect(times, file.key).toEqual([...times].sort((a, b) => a - b));
    }
    return files;
  }

  /** metadata.uid of every row of the lake: the event keys, each event once. */
  const uidsOf = (files: readonly LakeFile[]): string[] => files.flatMap((file) => file.documents.map((document) => (document['metadata'] as { uid: string }).uid)).sort();
  const allKeys = (events: readonly OutboundEvent[]): string[] => events.map(({ key }) => key).sort();
  const partitionsOf = (events: readonly OutboundEvent[]): Set<string> => {
    const plan = planLakeFiles(events, { location: { bucket: lake, ...LOCATION }, sources: SOURCES, columnsOf: ocsfClassColumns });
    return new Set(plan.files.map(({ sourceName, eventDay }) => `ext/${sourceName}/region=eu-west-1/accountId=111122223333/eventDay=${eventDay}`));
  };
  const folderOf = (key: string): string => key.slice(0, key.lastIndexOf('/'));

  /** `count` tombstones in `bucket`, spread over the default sources and the 17 days before START's. */
  async function putOlderTombstones(bucket: string, count: number): Promise<void> {
    const sources = [...SOURCES.values()];
    const puts = new Semaphore(32);
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        puts.run(async () => {
          const name = { source: sources[index % sources.length]!, eventDay: dayOf(START - (1 + (index % 17)) * DAY_MS), hash: index.toString(16).padStart(32, '0') };
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: tombstoneKeyOf({ bucket, prefix: PREFIX }, name), Body: 'ext/an-older-file.parquet' }));
        }),
      ),
    );
  }

  /** A second staging area holding a copy of every object of the first. */
  async function copyOfStaging(): Promise<string> {
    const copy = uniqueName('staging');
    await s3.send(new CreateBucketCommand({ Bucket: copy }));
    for (const { key } of await listObjects(s3, staging)) await s3.send(new PutObjectCommand({ Bucket: copy, Key: key, Body: await objectBytes(s3, staging, key) }));
    return copy;
  }

  it('takes several deliveries (a message twice, a partial-failure retry, an event staged twice) into one file per source and day, every event once', async () => {
    await deliver(MESSAGES[0]!);
    await deliver(MESSAGES[1]!);
    // SQS hands message 1 out again: the same objects are staged again.
    await deliver([...MESSAGES[1]!].reverse());
    // Message 2 staged all its files but one; the forwarder requeued that file's events, which come back alone.
    const plan = planLakeFiles(MESSAGES[2]!, { location: { bucket: lake, ...LOCATION }, sources: SOURCES, columnsOf: ocsfClassColumns });
    const failed = new Set(plan.files[0]!.indices);
    expect(plan.files.length).toBeGreaterThan(1);
    await deliver(MESSAGES[2]!.filter((_, index) => !failed.has(index)));
    await deliver(MESSAGES[2]!.filter((_, index) => failed.has(index)));
    await deliver(MESSAGES[3]!);
    // The poller read two events again and sent them in another batch: another staged object holds them.
    const again = [MESSAGES[3]![0]!, MESSAGES[3]![1]!].filter((event) => dayOf(event.time) === dayOf(MESSAGES[3]![0]!.time));
    await deliver(again);
    const stagedCount = (await keysUnder(staging, `${PREFIX}staged/`)).length;
    const expectedStaged = MESSAGES.reduce((count, message) => count + partitionsOf(message).size, 0) + partitionsOf(again).size;
    expect(stagedCount).toBe(expectedStaged);

    const report = await compact();
    const files = await lakeFiles();
    const partitions = partitionsOf(EVENTS);
    expect(new Set(files.map(({ key }) => folderOf(key)))).toEqual(partitions);
    expect(files).toHaveLength(partitions.size);
    expect(report).toEqual({
      filesWritten: partitions.size,
      eventsWritten: EVENTS.length,
      stagedConsumed: stagedCount,
      duplicatesDropped: again.length,
      manifestsResumed: 0,
      tombstonesExpired: 0,
      bytesWritten: files.reduce((sum, { size }) => sum + size, 0),
    });
    expect(uidsOf(files)).toEqual(allKeys(EVENTS));
    expect(await keysUnder(staging, `${PREFIX}staged/`)).toEqual([]);
    expect(await keysUnder(staging, `${PREFIX}manifests/`)).toEqual([]);
    const tombstones = await keysUnder(staging, `${PREFIX}compacted/`);
    expect(tombstones).toHaveLength(stagedCount);
    const outputKeys = new Set(files.map(({ key }) => key));
    for (const tombstone of tombstones) expect(outputKeys.has(new TextDecoder().decode(await objectBytes(s3, staging, tombstone))), tombstone).toBe(true);

    // Nothing staged since: a run writes nothing.
    expect(await compact()).toEqual(NO_WORK);
  });

  for (const crashAfter of ['manifest', 'output', 'tombstones', 'inputs-deleted', 'manifest-deleted'] as const satisfies readonly CompactionStep[]) {
    it(`finishes a compaction that stopped after its ${crashAfter} step, with the same file name, every event once`, async () => {
      for (const message of MESSAGES) await deliver(message);
      let crashed: string | undefined;
      const afterStep = (step: CompactionStep, outputKey: string): void => {
        if (step === crashAfter && crashed === undefined) {
          crashed = outputKey;
          throw new Error(`crash after ${step}`);
        }
      };
      // The lake is only written to: its custom source's role may PUT there and nothing else.
      const lakeRequests = countingClient();
      await expect(compact({ afterStep, lakeClient: lakeRequests.client })).rejects.toThrow(`crash after ${crashAfter}`);
      expect(crashed).toBeDefined();
      const leftManifests = await keysUnder(staging, `${PREFIX}manifests/`);
      expect(leftManifests).toHaveLength(crashAfter === 'manifest-deleted' ? 0 : 1);
      const before = await Promise.all((await listObjects(s3, lake)).map(async ({ key }) => [key, await objectBytes(s3, lake, key)] as const));

      const report = await compact({ lakeClient: lakeRequests.client });
      lakeRequests.client.destroy();
      expect([...lakeRequests.counts.keys()]).toEqual(['PutObject']);
      expect(report.manifestsResumed).toBe(leftManifests.length);
      // Tombstones tell that the file is in the lake; stopped before them, it is written again, the same bytes.
      expect(report.filesWritten).toBe(crashAfter === 'manifest' || crashAfter === 'output' ? 1 : 0);
      const files = await lakeFiles();
      expect(files.map(({ key }) => key)).toContain(crashed);
      for (const [key, bytes] of before) expect(await objectBytes(s3, lake, key), key).toEqual(bytes);
      expect(files).toHaveLength(partitionsOf(EVENTS).size);
      expect(uidsOf(files)).toEqual(allKeys(EVENTS));
      expect(await keysUnder(staging, `${PREFIX}staged/`)).toEqual([]);
      expect(await keysUnder(staging, `${PREFIX}manifests/`)).toEqual([]);
    });
  }

  it('drops a staged object that comes again after its compaction, and leaves the lake as it was', async () => {
    await deliver(MESSAGES[0]!);
    await deliver(MESSAGES[1]!);
    await compact();
    const before = await listObjects(s3, lake);
    const bytesBefore = await Promise.all(before.map(({ key }) => objectBytes(s3, lake, key)));

    // The forwarder staged message 1, died before its idempotency record, and SQS handed it out again.
    await deliver(MESSAGES[1]!);
    expect(await compact()).toEqual({ ...NO_WORK, duplicatesDropped: MESSAGES[1]!.length });
    expect(await listObjects(s3, lake)).toEqual(before);
    expect(await Promise.all(before.map(({ key }) => objectBytes(s3, lake, key)))).toEqual(bytesBefore);
    expect(await keysUnder(staging, `${PREFIX}staged/`)).toEqual([]);
  });

  it('cuts a source\'s day into several files when its staged objects pass maxFileBytes, each within it, no event lost', async () => {
    // Small messages: many staged objects per source and day.
    for (let start = 0; start < EVENTS.length; start += 10) await deliver(EVENTS.slice(start, start + 10));
    const staged = await listObjects(s3, staging, `${PREFIX}staged/`);
    const sizeOf = new Map(staged.map(({ key, size }) => [key, size]));
    const largest = Math.max(...staged.map(({ size }) => size));
    const maxFileBytes = Math.floor(largest * 2.5);
    const report = await compact({ maxFileBytes });

    const files = await lakeFiles();
    expect(report.filesWritten).toBe(files.length);
    expect(files.length).toBeGreaterThan(partitionsOf(EVENTS).size);
    expect(uidsOf(files)).toEqual(allKeys(EVENTS));
    // Each file's inputs, from their tombstones (body: the file's key).
    const inputsOf = new Map<string, string[]>();
    for (const tombstone of await keysUnder(staging, `${PREFIX}compacted/`)) {
      const output = new TextDecoder().decode(await objectBytes(s3, staging, tombstone));
      const input = `${PREFIX}staged/${tombstone.slice(`${PREFIX}compacted/`.length)}.jsonl.gz`;
      inputsOf.set(output, [...(inputsOf.get(output) ?? []), input]);
    }
    expect(new Set(inputsOf.keys())).toEqual(new Set(files.map(({ key }) => key)));
    for (const [output, inputs] of inputsOf) {
      const bytes = inputs.reduce((sum, input) => sum + sizeOf.get(input)!, 0);
      expect(inputs.length === 1 || bytes <= maxFileBytes, `${output}: ${inputs.length} inputs, ${bytes} bytes`).toBe(true);
    }
  });

  it('deletes tombstones past their retention by their age, in at most one run a day, by the injected clock', async () => {
    await deliver(MESSAGES[0]!);
    const { stagedConsumed } = await compact();
    const tombstoneCount = async (): Promise<number> => (await keysUnder(staging, `${PREFIX}compacted/`)).length;
    expect(await tombstoneCount()).toBe(stagedConsumed);
    const writtenBy = Date.now();

    // The day's pass: none is past its retention yet.
    const firstPass = writtenBy + DEFAULT_TOMBSTONE_RETENTION_MS - 3_600_000;
    expect(await compact({ now: () => firstPass })).toEqual(NO_WORK);
    expect(await tombstoneCount()).toBe(stagedConsumed);
    // Two hours on they are, but the next pass is a day after the last.
    expect(await compact({ now: () => firstPass + 2 * 3_600_000 })).toEqual(NO_WORK);
    expect(await tombstoneCount()).toBe(stagedConsumed);
    expect(await compact({ now: () => firstPass + TOMBSTONE_EXPIRY_INTERVAL_MS })).toEqual({ ...NO_WORK, tombstonesExpired: stagedConsumed });
    expect(await tombstoneCount()).toBe(0);
    // What the staging area keeps of it: the time of the last pass.
    expect(await keysUnder(staging, PREFIX)).toEqual([tombstoneExpiryKeyOf({ bucket: staging, prefix: PREFIX }, firstPass + TOMBSTONE_EXPIRY_INTERVAL_MS)]);
  });

  it('makes the same requests for 10 staged objects with 10,000 tombstones of older days as with none, and its daily expiry pass lists no day too young to expire', async () => {
    // 10 staged objects: five deliveries of one day's authentication and account change events.
    const oneDay = EVENTS.filter((event) => dayOf(event.time) === dayOf(START) && [3001, 3002].includes(classOf(event)));
    for (let slice = 0; slice < 5; slice += 1) await deliver(oneDay.filter((_, index) => index % 5 === slice));
    expect(await keysUnder(staging, `${PREFIX}staged/`)).toHaveLength(10);
    // The last expiry pass was at START; this run an hour later, the next pass a day later.
    await s3.send(new PutObjectCommand({ Bucket: staging, Key: tombstoneExpiryKeyOf({ bucket: staging, prefix: PREFIX }, START), Body: '' }));
    const crowded = await copyOfStaging();
    await putOlderTombstones(crowded, 10_000);

    const countedRun = async (bucket: string, now: number): Promise<{ report: CompactionReport; requests: Record<string, number> }> => {
      const { client, counts } = countingClient();
      try {
        const report = await compact({ staging: { bucket, prefix: PREFIX }, stagingClient: client, lakeClient: client, now: () => now });
        return { report, requests: Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))) };
      } finally {
        client.destroy();
      }
    };
    const plain = await countedRun(staging, START + 3_600_000);
    const withTombstones = await countedRun(crowded, START + 3_600_000);
    expect(plain.report).toMatchObject({ filesWritten: 2, stagedConsumed: 10, duplicatesDropped: 0, tombstonesExpired: 0 });
    expect(withTombstones.report).toEqual(plain.report);
    // LIST: the expiry note, the manifests, the staged objects, the tombstones of the two staged days.
    // GET: each staged object. PUT: 2 manifests, 2 files, 10 tombstones. DELETE: the inputs and the manifest of each file.
    expect(plain.requests).toEqual({ DeleteObjects: 4, GetObject: 10, ListObjectsV2: 5, PutObject: 14 });
    expect(withTombstones.requests).toEqual(plain.requests);

    // The pass: the note, the sources' folders, each source's day folders; a day that began after
    // now - retention cannot hold an expired tombstone, and is not listed. Then the new note, and the old one deleted.
    const plainPass = await countedRun(staging, START + DAY_MS);
    const crowdedPass = await countedRun(crowded, START + DAY_MS);
    expect(plainPass).toEqual({ report: NO_WORK, requests: { DeleteObjects: 1, ListObjectsV2: 1 + 1 + 2 + 2, PutObject: 1 } });
    expect(crowdedPass).toEqual({ report: NO_WORK, requests: { DeleteObjects: 1, ListObjectsV2: 1 + 1 + SOURCES.size + 2, PutObject: 1 } });
    expect(await keysUnder(crowded, `${PREFIX}compacted/`)).toHaveLength(10_010);
  });

  it('writes nothing when nothing is staged', async () => {
    expect(await compact()).toEqual(NO_WORK);
    expect(await listObjects(s3, lake)).toEqual([]);
    expect(await listObjects(s3, staging)).toEqual([]);
  });

  it('leaves what it cannot compact staged and says why, and compacts the rest', async () => {
    await deliver(MESSAGES[0]!);
    const stray = `${PREFIX}staged/mpas-unknown/eventDay=20250304/${'0'.repeat(32)}.jsonl.gz`;
    await s3.send(new PutObjectCommand({ Bucket: staging, Key: stray, Body: (await objectBytes(s3, staging, (await keysUnder(staging, `${PREFIX}staged/`))[0]!)) }));
    await expect(compact()).rejects.toThrow(/1 staged objects of source mpas-unknown \(eventDay 20250304\) wait: no OCSF class has that source in SECURITY_LAKE_SOURCES/);
    expect(uidsOf(await lakeFiles())).toEqual(allKeys(MESSAGES[0]!));
    expect(await keysUnder(staging, `${PREFIX}staged/`)).toEqual([stray]);
  });
});
