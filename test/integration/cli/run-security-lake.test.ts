import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { ocsfClassColumns } from '../../../lib/sinks/security-lake/ocsf-class-columns.js';
import { DEFAULT_SECURITY_LAKE_SOURCES } from '../../../lib/sinks/security-lake/config.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { localRunEnv, runCli, useLocalRunRig } from '../../support/cli-process.js';
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

  it('writes every event once, as OCSF of its class, in Parquet files of its custom source\'s partitions', async () => {
    const { simulator, stateDir } = rig;
    const generated = generateEvents({ seed: 22, realm: 'acme', count: 300, startTime: START_FROM + 1_000, spacingMs: 12_000, adminShare: 0.4 });
    simulator.add('acme', 'user', generated.user);
    simulator.add('acme', 'admin', generated.admin);
    const env = localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: START_FROM, stateDir },
      { ...awsEnv, MPAS_SETTLE_MS: '1000', SIEM_TYPE: 'security-lake', SIEM_URL: inject('sqsEndpoint'), SECURITY_LAKE_BUCKET: bucket, SECURITY_LAKE_REGION: 'eu-west-1', SECURITY_LAKE_ACCOUNT_ID: ACCOUNT },
    );
    const run = await runCli(['run', '--once'], env);
    expect(run.code, run.stderr).toBe(0);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map(({ Key }) => Key!);
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
});
