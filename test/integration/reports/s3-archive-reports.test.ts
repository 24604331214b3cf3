import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ArchiveRecord } from '../../../lib/archive/archive-record.js';
import { S3Archive } from '../../../lib/archive/s3-archive.js';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import { createReportCommand } from '../../../lib/cli/report-command.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { generatedArchive } from '../../support/report-archive.js';

const SEED = 7_331;
const START = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
// 600 events 10 minutes apart: a little over four days of partitions.
const records = generatedArchive(SEED, 600, START);
const NOW = START + 5 * DAY;

/** An S3 client for the fauxqs emulator (its S3 shares the SQS endpoint), counting GetObject keys. */
function s3Client(): { client: S3Client; gets: string[] } {
  const client = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
  const gets: string[] = [];
  const send = client.send.bind(client);
  client.send = ((command: { input: { Key?: string } }, ...rest: unknown[]) => {
    if (command instanceof GetObjectCommand && command.input.Key) gets.push(command.input.Key);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as S3Client['send'];
  return { client, gets };
}

function captureIo(): CliIo & { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return { output, errors, out: (text) => output.push(text), err: (text) => errors.push(text), isTty: false };
}

function byDayInBatches(all: ArchiveRecord[]): Array<{ id: string; records: ArchiveRecord[] }> {
  // Batches of 50, as pages arrive; a batch may span midnight and so two partitions.
  const units = [];
  for (let start = 0; start < all.length; start += 50) units.push({ id: `batch-${start}`, records: all.slice(start, start + 50) });
  return units;
}

describe('S3Archive and the report command', () => {
  const { client, gets } = s3Client();
  const bucket = uniqueName('archive');
  let dir: string;

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const archive = new S3Archive(client, { bucket, prefix: 'audit-events' });
    const sorted = [...records].sort((a, b) => (a.date < b.date ? -1 : 1));
    await archive.write(byDayInBatches(sorted));
    // Written again (a batch delivered twice): the same objects, no second copy.
    await archive.write(byDayInBatches(sorted).slice(0, 2));
    dir = mkdtempSync(join(tmpdir(), 'reports-'));
  });
  afterAll(() => {
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores gzip NDJSON under date partitions, one object per batch and day', async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'audit-events/' }));
    const keys = (listed.Contents ?? []).map(({ Key }) => Key as string);
    expect(new Set(keys.map((key) => key.split('/')[1]))).toEqual(new Set(['date=2026-11-01', 'date=2026-11-02', 'date=2026-11-03', 'date=2026-11-04', 'date=2026-11-05']));
    expect(keys.every((key) => /^audit-events\/date=\d{4}-\d{2}-\d{2}\/batch-\d+\.ndjson\.gz$/.test(key))).toBe(true);
    const all = await new S3Archive(client, { bucket, prefix: 'audit-events/' }).read({ order: 'asc', limit: 100_000 });
    expect(all).toHaveLength(records.length);
    expect(all[0]).toEqual([...records].sort((a, b) => (a.date < b.date ? -1 : 1))[0]);
  });

  it(`runs PAS 6.0's "Events for user" over the S3 archive, reading only the partitions of its window (seed ${SEED})`, async () => {
    const definition = join(dir, 'events-for-user.json');
    writeFileSync(definition, JSON.stringify({
      displayName: 'Events for user',
      query: "select * from audit_events where date >= '2026-11-03' and date < '2026-11-04' order by date desc limit 10000",
      category: 'Audit',
      params: [{ name: 'username', displayName: 'Username', type: 'input' }],
      postProcessing: { paramColumns: 'duser,src', filter: { duser: { equals: '{{username}}' } } },
    }));
    gets.length = 0;
    const io = captureIo();
    const command = createReportCommand({ s3: client, clock: new ManualClock(NOW) });
    const code = await command.run([definition, '--s3', `s3://${bucket}/audit-events/`, '--param', 'username=user2', '--format', 'csv'], {}, io);
    expect(io.errors).toEqual([]);
    expect(code).toBe(0);
    const lines = io.output.join('\n').split('\r\n');
    expect(lines[0]).toBe('date,eventID,message,host,duser,src');
    const expected = records
      .filter(({ date, params }) => date >= '2026-11-03' && date < '2026-11-04' && params['duser'] === 'user2')
      .sort((a, b) => (a.date < b.date ? 1 : -1))
      .map((record) => [record.date, record.eventID, record.message, record.host, 'user2', record.params['src'] ?? ''].join(','));
    expect(expected.length).toBeGreaterThan(10);
    expect(lines.slice(1)).toEqual(expected);
    // The window is one day: no other partition is opened.
    expect(new Set(gets.map((key) => key.split('/')[1]))).toEqual(new Set(['date=2026-11-03']));
  });

  it('runs a shipped report over the local SQLite archive as JSON', async () => {
    const file = join(dir, 'audit-events.sqlite');
    const local = new SqliteArchive(file);
    await local.write(byDayInBatches(records));
    await local.close();
    const io = captureIo();
    const definition = new URL('../../../reports/failed-logins-by-user.json', import.meta.url).pathname;
    const code = await createReportCommand({ clock: new ManualClock(NOW) }).run([definition, '--archive', file, '--param', 'username=alice', '--param', 'days=2'], {}, io);
    expect(code).toBe(0);
    const rows = JSON.parse(io.output.join('\n')) as Array<Record<string, string>>;
    const expected = records.filter(({ date, params }) => date >= new Date(NOW - 2 * DAY).toISOString() && params['act'] === 'LOGIN_ERROR' && params['duser'] === 'alice');
    expect(rows).toHaveLength(expected.length);
    expect(rows.every((row) => row['eventID'] === 'user_login_error' && row['duser'] === 'alice')).toBe(true);
  });

  it('deletes whole days older than the retention cutoff', async () => {
    const retention = new S3Archive(client, { bucket, prefix: 'audit-events' });
    const deleted = await retention.deleteOlderThan('2026-11-03T05:00:00.000Z');
    expect(deleted).toBeGreaterThan(0);
    const left = await retention.read({ order: 'asc', limit: 100_000 });
    expect(left[0]!.date >= '2026-11-03').toBe(true);
    expect(left).toHaveLength(records.filter(({ date }) => date >= '2026-11-03').length);
  });
});
