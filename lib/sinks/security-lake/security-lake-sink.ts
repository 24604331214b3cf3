import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Semaphore } from '../semaphore.js';
import type { HealthcheckOptions, OutboundEvent, Sink, SinkDelivery, SinkHealth } from '../sink.js';
import { writeParquetFile } from './parquet-file.js';
import { planLakeFiles } from './security-lake-files.js';
import type { LakeFilePlanning, PlannedFile } from './security-lake-files.js';

/** Settings of the Security Lake sink. */
export interface SecurityLakeSinkOptions extends LakeFilePlanning {
  /** An S3-compatible endpoint instead of AWS's (tests, a local emulator); path-style requests. */
  endpoint?: string | undefined;
  /** Timeout of one S3 request. */
  timeoutMs: number;
  /** Tries of one PutObject (the SDK's retry with its backoff) before the file's events go back to the queue. */
  attempts: number;
  /** Files written at once. */
  concurrency: number;
  /** Written into each file's footer (`created_by`). */
  createdBy: string;
  /** A client instead of one built from the settings (tests). */
  client?: S3Client;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Amazon Security Lake custom sources: each delivery becomes one Parquet object per OCSF class
 * and day (security-lake-files.ts), PUT to the source's partition under a name derived from the
 * events it holds (security-lake-layout.ts). A PUT stores the whole object or nothing, so a file
 * whose PUT failed leaves nothing behind and its events come back as one retry, which writes the
 * same object again; a file whose PUT succeeded is never written a second time under another name.
 */
export function createSecurityLakeSink(options: SecurityLakeSinkOptions): Sink {
  const ownClient = options.client === undefined;
  const client =
    options.client ??
    new S3Client({
      region: options.location.region,
      maxAttempts: options.attempts,
      requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    });
  const now = options.now ?? Date.now;
  const puts = new Semaphore(options.concurrency);
  const { bucket } = options.location;

  const writeFile = async (file: PlannedFile, signal: AbortSignal | undefined): Promise<FileOutcome> => {
    let body: Uint8Array;
    try {
      body = writeParquetFile(file.records, file.columns, options.createdBy);
    } catch (error) {
      // The records fit their columns (planLakeFiles checked them): the same input fails again.
      return { ok: 'unwritable', reason: `Parquet writer: ${describeError(error)}` };
    }
    const startedAt = now();
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: body, ContentType: 'application/vnd.apache.parquet' }), { abortSignal: signal });
      return { ok: true, latencyMs: now() - startedAt };
    } catch (error) {
      const status = httpStatusOf(error);
      return {
        ok: false,
        ...(status === undefined ? {} : { status }),
        reason: `S3 PutObject s3://${bucket}/${file.key}: ${describeError(error)}`,
        auth: status === 401 || status === 403,
        latencyMs: now() - startedAt,
      };
    }
  };

  return {
    name: 'security-lake',
    async deliver(events: readonly OutboundEvent[], signal?: AbortSignal): Promise<SinkDelivery> {
      const plan = planLakeFiles(events, options);
      const delivery: SinkDelivery = { retry: [], dropped: [...plan.dropped], errors: [], latenciesMs: [] };
      const outcomes = await Promise.all(plan.files.map((file) => puts.run(() => writeFile(file, signal))));
      plan.files.forEach((file, position) => {
        const outcome = outcomes[position]!;
        if (outcome.ok === 'unwritable') {
          for (const index of file.indices) delivery.dropped.push({ index, reason: outcome.reason });
          return;
        }
        delivery.latenciesMs.push(outcome.latencyMs);
        if (outcome.ok) return;
        // Nothing S3 answers condemns the events themselves (a refused key or a missing bucket is
        // fixed in the settings): the file's events wait in the queue and go again.
        delivery.retry.push(...file.indices);
        delivery.errors.push({ ...(outcome.status === undefined ? {} : { status: outcome.status }), reason: outcome.reason, auth: outcome.auth });
      });
      delivery.retry.sort((a, b) => a - b);
      return delivery;
    },
    async healthcheck(healthcheckOptions?: HealthcheckOptions): Promise<SinkHealth> {
      // The test event is written like any other: a real file in the source's partition.
      if (healthcheckOptions?.sendTestEvent) return healthcheckOptions.sendTestEvent();
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return { ok: true, detail: `bucket ${bucket} answers in ${options.location.region}; writing is proven by check --send-test-event` };
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 403) {
          return { ok: true, detail: `bucket ${bucket} exists; this identity may not read its metadata (HeadBucket needs s3:ListBucket, delivery only s3:PutObject): check --send-test-event proves writing` };
        }
        const what = status === 404 ? `no bucket ${bucket} in ${options.location.region} (SECURITY_LAKE_BUCKET, SECURITY_LAKE_REGION)` : describeError(error);
        return { ok: false, detail: `S3 HeadBucket: ${what}` };
      }
    },
    async close(): Promise<void> {
      if (ownClient) client.destroy();
    },
  };
}

/** How writing one file went. */
type FileOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; status?: number; reason: string; auth: boolean; latencyMs: number }
  | { ok: 'unwritable'; reason: string };

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = httpStatusOf(error);
  return `${status === undefined ? '' : `HTTP ${status} `}${error.name}: ${error.message}`;
}
