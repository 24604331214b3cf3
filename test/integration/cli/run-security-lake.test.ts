import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { ocsfClassColumns } from '../../../lib/sinks/security-lake/ocsf-class-columns.js';
import { DEFAULT_SECURITY_LAKE_SOURCES } from '../../../lib/sinks/security-lake/config.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { jsonLines, localRunEnv, runCli, startCli, useLocalRunRig, waitUntil } from '../../support/cli-process.js';
import { ocsfProblems } from '../../support/ocsf-validator.js';
import { readParquetFile } from '../../support/parquet-reader.js';
import { SECURITY_LAKE_OCSF_VERSION } from '../../../lib/core/formats/ocsf/ocsf-version.js';

const PASSWORD = 'security-lake-test-password-8e21';
const DAY_MS = 86_400_000;
// 20 minutes before yesterday's UTC midnight: the events (an hour of them) fall on two UTC days, all in the past.
const MIDNIGHT = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS;
const START_FROM = MIDNIGHT - 20 * 60_000;
const dayOf = (time: number): string => new Date(time).toISOString().slice(0, 10).replaceAll('-', '');
const ACCOUNT = '111122223333';
const awsEnv = {
  AWS_ACCESS_KEY_ID: testAwsConfig.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testAwsConfig.credentials.secretAccessKey,
  AWS_REGION: testAwsConfig.region,
};

/** A row as the OCSF document it came from: absent attributes instead of nulls, JSON-text columns parsed. */
function documentOf(row: Record<string, unknown>, jsonColumns: readonly string[]): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null).map(([key, member]) => [key, strip(member)]));
  };
  const parsed = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, jsonColumns.includes(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value]));
  return strip(parsed) as Record<string, unknown>;
}

describe('run --once to Amazon Security Lake (the fauxqs S3 emulator)', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'security-lake-' });
  let s3: S3Client;
  let bucket: string;

  beforeEach(async () => {
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    bucket = uniqueName('lake');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterEach(() => {
    s3?.destroy();
  });

  /** Generated events of realm acme in the simulator, and the environment of a run delivering them to the lake (`extra` added). */
  const lakeRun = (events: { seed: number; count: number; spacingMs: number }, extra: Record<string, string>) => {
    const { simulator, stateDir } = rig;
    const generated = generateEvents({ ...events, realm: 'acme', startTime: START_FROM + 1_000, adminShare: 0.4 });
    simulator.add('acme', 'user', generated.user);
    simulator.add('acme', 'admin', generated.admin);
    const env = localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: START_FROM, stateDir },
      { ...awsEnv, MPAS_SETTLE_MS: '1000', SIEM_TYPE: 'security-lake', SIEM_URL: inject('sqsEndpoint'), SECURITY_LAKE_BUCKET: bucket, SECURITY_LAKE_REGION: 'eu-west-1', SECURITY_LAKE_ACCOUNT_ID: ACCOUNT, ...extra },
    );
    return { generated, env };
  };

  it('writes every event once, as OCSF of its class, in one Parquet file per custom source and day, compacted from what the sink staged', async () => {
    const { generated, env } = lakeRun({ seed: 22, count: 300, spacingMs: 12_000 }, { MPAS_PAGE_SIZE: '40' });
    const run = await runCli(['run', '--once'], env);
    expect(run.code, run.stderr).toBe(0);

    // The sink staged every delivery; the compaction at the end of --once made the lake's files
    // of them and took every staged object: nothing of it is left but its tombstones.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const all = (listed.Contents ?? []).map(({ Key }) => Key!);
    const keys = all.filter((key) => key.startsWith('ext/'));
    expect(all.filter((key) => !key.startsWith('ext/') && !key.startsWith('mpas-log-sync-staging/compacted/'))).toEqual([]);
    expect(all.some((key) => key.startsWith('mpas-log-sync-staging/compacted/'))).toBe(true);
    // One file per source and day: the deliveries were many (a batch per page of 40 events), the files are not.
    const partitions = new Set(keys.map((key) => key.slice(0, key.lastIndexOf('/'))));
    expect(partitions.size).toBe(keys.length);
    const compactions = run.stdout.split('\n').filter((line) => line.includes('"security lake compaction"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(compactions.at(-1)).toMatchObject({ final: true, filesWritten: keys.length, eventsWritten: generated.user.length + generated.admin.length, duplicatesDropped: 0 });
    expect(compactions.at(-1)!['stagedConsumed'] as number).toBeGreaterThan(keys.length);
    const sourceOf = new Map(Object.entries(DEFAULT_SECURITY_LAKE_SOURCES).map(([classUid, source]) => [source, Number(classUid)]));
    const ids: string[] = [];
    const days = new Set<string>();
    for (const key of keys) {
      const match = /^ext\/([^/]+)\/region=eu-west-1\/accountId=111122223333\/eventDay=(\d{8})\/mpas-(\d{4})-[0-9a-f]{32}\.parquet$/.exec(key);
      expect(match, key).not.toBeNull();
      const [, source, eventDay, fileClass] = match!;
      const classUid = sourceOf.get(source!);
      expect(classUid, key).toBe(Number(fileClass));
      days.add(eventDay!);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const { rows, codecs } = await readParquetFile(await object.Body!.transformToByteArray());
      expect(codecs).toEqual(['ZSTD']);
      const jsonColumns = Object.entries(ocsfClassColumns(classUid!)!).filter(([, column]) => column.kind === 'json').map(([name]) => name);
      const documents = rows.map((row) => documentOf(row, jsonColumns));
      for (const document of documents) {
        expect(document['class_uid'], key).toBe(classUid);
        expect(ocsfProblems(document as { class_uid: number }, SECURITY_LAKE_OCSF_VERSION), key).toEqual([]);
        expect((document['metadata'] as { version: string }).version, key).toBe(SECURITY_LAKE_OCSF_VERSION);
        expect(dayOf(document['time'] as number), key).toBe(eventDay);
        ids.push((document['metadata'] as { uid: string }).uid);
      }
      const times = documents.map((document) => document['time'] as number);
      expect(times, key).toEqual([...times].sort((a, b) => a - b));
    }
    expect(days).toEqual(new Set([dayOf(MIDNIGHT - 1), dayOf(MIDNIGHT)]));
    // metadata.uid is the event key, the Keycloak id: each event once, none missing.
    expect(ids.sort()).toEqual([...generated.user, ...generated.admin].map(({ id }) => id!).sort());
  });

  it('compacts once more when run stops cleanly: what it delivered is in the lake, nothing left staged', async () => {
    const { generated, env } = lakeRun({ seed: 23, count: 120, spacingMs: 30_000 }, { SECURITY_LAKE_STAGING_PREFIX: 'staging/' });
    const child = startCli(['run'], env);
    // Every event is in the past: the first complete poll delivered (staged) them all. The
    // interval (5 minutes) is far off, so only the stop's compaction can make the files.
    await waitUntil(() => jsonLines(child.output().stdout).find((line) => line['message'] === 'poll' && line['status'] === 'complete'), 'a complete poll');
    child.kill('SIGTERM');
    const stopped = await child.exited;
    expect(stopped.code, stopped.stderr).toBe(0);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const all = (listed.Contents ?? []).map(({ Key }) => Key!);
    expect(all.filter((key) => key.startsWith('staging/staged/') || key.startsWith('staging/manifests/'))).toEqual([]);
    const uids: string[] = [];
    for (const key of all.filter((candidate) => candidate.startsWith('ext/'))) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const { rows } = await readParquetFile(await object.Body!.transformToByteArray());
      uids.push(...rows.map((row) => (row['metadata'] as { uid: string }).uid));
    }
    expect(uids.sort()).toEqual([...generated.user, ...generated.admin].map(({ id }) => id!).sort());
    const compactions = jsonLines(stopped.stdout).filter((line) => line['message'] === 'security lake compaction');
    expect(compactions).toEqual([expect.objectContaining({ final: true, eventsWritten: uids.length, staging: `s3://${bucket}/staging/` })]);
  });
});
