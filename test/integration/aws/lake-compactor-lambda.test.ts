import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { CompactionFailedError, createLakeCompactorHandler } from '../../../functions/lake-compactor.js';
import { lakeCompactorConfig, withStackStaging } from '../../../infra/constructs/security-lake-destinations.js';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import { forwarderEnvironment, loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { ForwarderConfig } from '../../../lib/config/app-config-schema.js';
import type { LambdaConfig } from '../../../lib/config/lambda-config.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { MpasEvent, Stream } from '../../../lib/core/events/event-schemas.js';
import { formatterFor } from '../../../lib/core/formats/format-registry.js';
import { SECURITY_LAKE_OCSF_VERSION } from '../../../lib/core/formats/ocsf/ocsf-version.js';
import { lakeCompactionsFromConfig } from '../../../lib/sinks/security-lake/lake-compactions.js';
import type { LakeCompaction } from '../../../lib/sinks/security-lake/lake-compactions.js';
import type { CompactionReport } from '../../../lib/sinks/security-lake/lake-compactor.js';
import { createSinkFor } from '../../../lib/sinks/sink-types.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';
import { readParquetFile } from '../../support/parquet-reader.js';
import { recordingLogger } from '../../support/recording-logger.js';

const START = Date.parse('2025-03-04T23:00:00.000Z');
const ocsf = formatterFor('ocsf', { version: '0.1.0-test', ocsfVersion: SECURITY_LAKE_OCSF_VERSION });

/** The events as the forwarder hands them to the sink: OCSF documents of the security-lake type. */
function outbound(events: readonly MpasEvent[], stream: Stream): OutboundEvent[] {
  return events.map((event) => {
    const key = eventKey(event);
    return { key, time: event.time, realm: 'acme', stream, payload: ocsf.encode(event, { tenant: 'acme', realm: 'acme', stream, key }) };
  });
}

/** Metrics whose values are kept by name. */
function recordingMetrics(): { metrics: Metrics; written: Map<string, number> } {
  const metrics = new Metrics({ namespace: 'MpasLogSync', serviceName: 'test' });
  const written = new Map<string, number>();
  metrics.addMetric = ((name: string, _unit: unknown, value: number) => {
    written.set(name, (written.get(name) ?? 0) + value);
    return metrics;
  }) as unknown as Metrics['addMetric'];
  metrics.publishStoredMetrics = (() => metrics) as unknown as Metrics['publishStoredMetrics'];
  return { metrics, written };
}

describe('the lake compactor Lambda, configured as the stack configures it, on the fauxqs S3 emulator', () => {
  let s3: S3Client;
  let lake: string;
  let staging: string;
  let env: Record<string, string>;
  const load = (): Promise<LambdaConfig<ForwarderConfig>> => loadLambdaConfig({ env, role: 'forwarder', secrets: async () => undefined });

  beforeEach(async () => {
    s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    lake = uniqueName('lake');
    staging = uniqueName('payloads');
    await s3.send(new CreateBucketCommand({ Bucket: lake }));
    await s3.send(new CreateBucketCommand({ Bucket: staging }));
    env = {
      TENANT: 'acme',
      MPAS_BASE_URL: 'https://mpas.example.com',
      MPAS_REALMS: 'acme',
      SIEM_TYPE: 'security-lake',
      SIEM_URL: inject('sqsEndpoint'),
      SECURITY_LAKE_BUCKET: lake,
      SECURITY_LAKE_REGION: 'eu-west-1',
      SECURITY_LAKE_ACCOUNT_ID: '111122223333',
      SECURITY_LAKE_STAGING_BUCKET: staging,
      SECURITY_LAKE_STAGING_PREFIX: 'security-lake-staging/',
      SECURITY_LAKE_STAGING_REGION: testAwsConfig.region,
    };
    // What the Lambda runtime gives the SDK's default credential chain.
    vi.stubEnv('AWS_ACCESS_KEY_ID', testAwsConfig.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', testAwsConfig.credentials.secretAccessKey);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    s3?.destroy();
  });

  async function keysOf(bucket: string, prefix = ''): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map(({ Key }) => Key!).sort();
  }

  it('turns what the forwarder staged, message by message, into one file per source and day, and logs and counts its report', async () => {
    const { config } = await load();
    const generated = generateEvents({ seed: 7, realm: 'acme', count: 120, startTime: START, spacingMs: 60_000, adminShare: 0.3 });
    const sink = createSinkFor(config.siem);
    // Three deliveries, as three queue messages would be: three staged objects per class and day.
    const user = outbound(generated.user, 'user');
    const admin = outbound(generated.admin, 'admin');
    for (const batch of [user.slice(0, 40), user.slice(40), admin]) {
      const delivery = await sink.deliver(batch);
      expect(delivery.retry).toEqual([]);
      expect(delivery.errors).toEqual([]);
    }
    await sink.close();
    expect(await keysOf(lake)).toEqual([]);
    expect((await keysOf(staging, 'security-lake-staging/staged/')).length).toBeGreaterThan(0);

    const { logger, lines } = recordingLogger();
    const { metrics, written } = recordingMetrics();
    const handler = createLakeCompactorHandler({ load, logger, metrics });
    const reports = (await handler({}, fakeLambdaContext())) as Record<string, CompactionReport>;

    const files = await keysOf(lake);
    const partitions = new Set(files.map((key) => key.replace(/\/mpas-\d+-[0-9a-f]{32}\.parquet$/, '')));
    expect(partitions.size, 'one file per source and day').toBe(files.length);
    const uids: string[] = [];
    for (const key of files) {
      expect(key).toMatch(/^ext\/mpas-[a-z-]+\/region=eu-west-1\/accountId=111122223333\/eventDay=2025030[45]\/mpas-\d{4}-[0-9a-f]{32}\.parquet$/);
      const object = await s3.send(new GetObjectCommand({ Bucket: lake, Key: key }));
      const { rows } = await readParquetFile(await object.Body!.transformToByteArray());
      uids.push(...rows.map((row) => (row['metadata'] as { uid: string }).uid));
    }
    const expected = [...user, ...admin].map(({ key }) => key).sort();
    expect(uids.sort()).toEqual(expected);
    expect(await keysOf(staging, 'security-lake-staging/staged/')).toEqual([]);
    expect(await keysOf(staging, 'security-lake-staging/manifests/')).toEqual([]);

    expect(reports['default']).toMatchObject({ filesWritten: files.length, eventsWritten: expected.length, duplicatesDropped: 0 });
    expect(reports['default']!.stagedConsumed).toBeGreaterThan(files.length);
    expect(written.get('LakeFilesWritten')).toBe(files.length);
    expect(written.get('LakeEventsWritten')).toBe(expected.length);
    expect(lines).toContainEqual({ level: 'info', message: 'security lake compaction', fields: expect.objectContaining({ route: 'default', filesWritten: files.length, eventsWritten: expected.length }) as unknown as Record<string, unknown> });

    // Zero counts are not written: a custom metric is billed for every hour it is.
    expect(written.has('LakeDuplicatesDropped')).toBe(false);
    expect(written.has('LakeManifestsResumed')).toBe(false);

    // A run with nothing staged writes nothing, not even a metric.
    const before = new Map(written);
    await handler({}, fakeLambdaContext());
    expect(await keysOf(lake)).toEqual(files);
    expect(written).toEqual(before);
  });

  it('compacts a security-lake route with the settings the stack gives it, beside a SIEM with credentials, reading no secret', async () => {
    const routeLake = uniqueName('routelake');
    await s3.send(new CreateBucketCommand({ Bucket: routeLake }));
    const config = appConfigSchema.parse({
      tenant: 'acme',
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { grant: 'password', username: 'u', password: 'p' } },
      siem: { type: 'https', url: 'https://siem.example.com/in', auth: { kind: 'bearer', token: 'not-for-the-compactor' } },
      routes: [
        { name: 'qradar', siem: { url: 'https://qradar.example.com/in', format: 'cef', auth: { kind: 'bearer', token: 'nor-this' } } },
        { name: 'lake', siem: { type: 'security-lake', url: inject('sqsEndpoint'), securityLake: { bucket: routeLake, region: 'eu-west-1', accountId: '111122223333' } } },
      ],
    });
    // What the stack writes: the route staged in its own prefix of the stack's bucket (here the emulator's).
    const staged = withStackStaging(config, { bucket: staging, region: testAwsConfig.region });
    const sink = createSinkFor(staged.routes![1]!.siem);
    const generated = generateEvents({ seed: 11, realm: 'acme', count: 40, startTime: START, spacingMs: 60_000, adminShare: 0 });
    const events = outbound(generated.user, 'user');
    expect((await sink.deliver(events)).errors).toEqual([]);
    await sink.close();
    expect((await keysOf(staging, 'security-lake-staging/routes/lake/staged/')).length).toBeGreaterThan(0);

    const compactorEnv = forwarderEnvironment(lakeCompactorConfig(staged)!);
    const loadRoutes = () => loadLambdaConfig({ env: compactorEnv, role: 'forwarder', secrets: async () => { throw new Error('the compactor reads no secret'); } });
    const { logger } = recordingLogger();
    const { metrics, written } = recordingMetrics();
    const reports = (await createLakeCompactorHandler({ load: loadRoutes, logger, metrics })({}, fakeLambdaContext())) as Record<string, CompactionReport>;

    expect(Object.keys(reports)).toEqual(['lake']);
    const files = await keysOf(routeLake);
    expect(files.length).toBeGreaterThan(0);
    const uids: string[] = [];
    for (const key of files) {
      const object = await s3.send(new GetObjectCommand({ Bucket: routeLake, Key: key }));
      uids.push(...(await readParquetFile(await object.Body!.transformToByteArray())).rows.map((row) => (row['metadata'] as { uid: string }).uid));
    }
    expect(uids.sort()).toEqual(events.map(({ key }) => key).sort());
    expect(reports['lake']).toMatchObject({ filesWritten: files.length, eventsWritten: events.length });
    expect(written.get('LakeEventsWritten')).toBe(events.length);
    expect(await keysOf(staging, 'security-lake-staging/routes/lake/staged/')).toEqual([]);
    expect(await keysOf(lake)).toEqual([]);
  });

  it('fails the invocation when a compaction fails, after closing its clients, so the errors metric and alarm see it', async () => {
    const closed: string[] = [];
    const compactions = async (config: ForwarderConfig): Promise<LakeCompaction[]> =>
      (await lakeCompactionsFromConfig(config)).map((compaction) => ({
        ...compaction,
        close: () => {
          closed.push(compaction.route);
          compaction.close();
        },
      }));
    // A staging bucket that does not exist: S3 answers NoSuchBucket to the compactor's listing.
    env = { ...env, SECURITY_LAKE_STAGING_BUCKET: uniqueName('missing') };
    const { logger, lines } = recordingLogger();
    const { metrics, written } = recordingMetrics();
    const handler = createLakeCompactorHandler({ load, logger, metrics, compactions });
    await expect(handler({}, fakeLambdaContext())).rejects.toBeInstanceOf(CompactionFailedError);
    expect(closed).toEqual(['default']);
    expect(written.get('LakeCompactionFailures')).toBe(1);
    expect(lines.filter(({ level }) => level === 'error').map(({ message }) => message)).toEqual(['security lake compaction failed: the next run resumes it']);
  });
});
