import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createVerifierHandler } from '../../../functions/verifier.js';
import { archiveRecordsOf } from '../../../lib/archive/archive-record.js';
import { S3Archive } from '../../../lib/archive/s3-archive.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, dynamoClient, testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';
import { batchOf } from '../../support/route-fixtures.js';
import { recordingLogger } from '../../support/recording-logger.js';

const DAY = '2026-11-20';
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const NOW = DAY_START + 26 * 3_600_000;
const REALM = 'acme';
const SECRETS: Record<string, string> = { 'arn:mpas': JSON.stringify({ username: 'mpas-log-sync', password: 'mpas-log-sync' }) };

/** The metrics written, as [name, realm, stream, value]: the verifier's `singleMetric` calls. */
function recordingMetrics(): { metrics: Metrics; written: Array<[string, string, string, number]> } {
  const metrics = new Metrics({ namespace: 'MpasLogSync', serviceName: 'test' });
  const written: Array<[string, string, string, number]> = [];
  metrics.singleMetric = (() => {
    let dimensions: Record<string, string> = {};
    return {
      addDimensions: (added: Record<string, string>) => (dimensions = { ...dimensions, ...added }),
      addMetric: (name: string, _unit: unknown, value: number) => written.push([name, dimensions['realm'] ?? '', dimensions['stream'] ?? '', value]),
    };
  }) as unknown as Metrics['singleMetric'];
  return { metrics, written };
}

describe('the daily verification Lambda on the MPAS simulator, DynamoDB Local and the S3 emulator', () => {
  let simulator: MpasSimulator;
  let s3: S3Client;
  let bucket: string;
  let table: string;
  let events: MpasEvent[];

  beforeEach(async () => {
    const clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: 9 });
    // The day verified, with a few events of the days around it.
    const generated = generateEvents({ seed: 9, realm: REALM, count: 240, startTime: DAY_START - 2 * 3_600_000, spacingMs: 420_000, adminShare: 0.25 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    events = [...generated.user, ...generated.admin];
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    bucket = uniqueName('archive');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    table = await createCursorTable();
  });

  afterEach(async () => {
    await simulator.close();
    s3.destroy();
    await cleanupAwsFixtures();
  });

  /** Archives the events as the forwarder would, but `skip`. */
  async function archive(skip: MpasEvent[]): Promise<void> {
    const skipped = new Set(skip.map((event) => eventKey(event)));
    const redact = createRedactor({ mode: 'mask', userFields: [], adminFields: ['representation'] });
    const store = new S3Archive(s3, { bucket, prefix: 'events/' });
    for (const stream of ['user', 'admin'] as const) {
      const kept = events.filter((event) => ('operationType' in event) === (stream === 'admin') && !skipped.has(eventKey(event)));
      await store.write([{ id: `b-${stream}`, records: archiveRecordsOf(batchOf(stream, kept), redact) }]);
    }
  }

  /** The live cursor, read up to `time` on both streams. */
  async function cursorAt(time: number): Promise<void> {
    const store = new DynamoDbCursorStore({ client: dynamoClient(), tableName: table, tenant: 'acme-test' });
    const { lease } = await store.acquire({ owner: 'poller', now: NOW, leaseMs: 1_000 });
    for (const stream of ['user', 'admin'] as const) {
      await store.commit({ lease, key: `${REALM}#${stream}`, position: { time, boundary: [], mode: 'modern', updatedAt: NOW }, now: NOW, leaseMs: 1_000 });
    }
    await store.release(lease);
  }

  function handler() {
    const env = {
      TENANT: 'acme-test',
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: REALM,
      MPAS_AUTH_REALM: 'master',
      MPAS_SECRET_ARN: 'arn:mpas',
      MPAS_PAGE_SIZE: '25',
      CURSOR_TABLE_NAME: table,
      ARCHIVE_BUCKET: bucket,
      ARCHIVE_PREFIX: 'events/',
    };
    const metrics = recordingMetrics();
    const logs = recordingLogger();
    const run = createVerifierHandler({
      load: () => loadLambdaConfig({ env, secrets: async (arn) => SECRETS[arn], role: 'poller' }),
      dynamodb: dynamoClient(),
      s3,
      clock: new ManualClock(NOW),
      logger: logs.logger,
      metrics: metrics.metrics,
    });
    return { run: (event: unknown = {}) => run(event, fakeLambdaContext({ timeoutMs: 120_000 })), ...metrics, ...logs };
  }

  const ofDay = (list: MpasEvent[]): MpasEvent[] => list.filter((event) => event.time >= DAY_START && event.time < DAY_START + 86_400_000);

  it('verifies the day before: MissingEvents 0 and VerifiedEvents per stream when everything is archived', async () => {
    await archive([]);
    await cursorAt(NOW - 60_000);
    const verifier = handler();
    expect(await verifier.run()).toBe('verified');
    const users = ofDay(events.filter((event) => !('operationType' in event))).length;
    const admins = ofDay(events.filter((event) => 'operationType' in event)).length;
    expect(verifier.written).toEqual([
      ['MissingEvents', REALM, 'user', 0],
      ['VerifiedEvents', REALM, 'user', users],
      ['ExtraEvents', REALM, 'user', 0],
      ['MissingEvents', REALM, 'admin', 0],
      ['VerifiedEvents', REALM, 'admin', admins],
      ['ExtraEvents', REALM, 'admin', 0],
    ]);
    expect(verifier.lines.find(({ level }) => level === 'info')?.message).toBe('day verified: every event MPAS holds is in the archive');
  });

  it('writes MissingEvents and logs each missing event when the archive lacks some', async () => {
    const gone = ofDay(events).slice(10, 13);
    await archive(gone);
    await cursorAt(NOW - 60_000);
    const verifier = handler();
    expect(await verifier.run({ day: DAY })).toBe('verified');
    const missing = verifier.written.filter(([name]) => name === 'MissingEvents').reduce((sum, [, , , value]) => sum + value, 0);
    expect(missing).toBe(3);
    const error = verifier.lines.find(({ level }) => level === 'error');
    expect(error?.message).toBe('events missing from the archive');
    expect((error?.fields['missing'] as Array<{ key: string }>).map(({ key }) => key).sort()).toEqual(gone.map((event) => eventKey(event)).sort());
  });

  it('writes nothing for a day the live cursor has not read to its end, and refuses a bad day', async () => {
    await archive([]);
    await cursorAt(DAY_START + 12 * 3_600_000);
    const verifier = handler();
    expect(await verifier.run()).toBe('not-yet');
    expect(verifier.written).toEqual([]);
    expect(verifier.lines[0]).toMatchObject({ level: 'warn', fields: { day: DAY } });
    await expect(verifier.run({ day: '20 Nov' })).rejects.toThrow('day must be a date such as 2026-11-20');
  });
});
