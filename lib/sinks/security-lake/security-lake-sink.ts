import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Semaphore } from '../semaphore.js';
import type { HealthcheckOptions, OutboundEvent, Sink, SinkDelivery, SinkHealth } from '../sink.js';
import { encodeStagedEvents } from './lake-staged-events.js';
import { stagedKeyOf } from './lake-staging.js';
import type { LakeStaging } from './lake-staging.js';
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
  /** Files staged at once. */
  concurrency: number;
  /** The compactor writes it into each lake file's footer; the sink writes no Parquet. */
  createdBy: string;
  /** Where the events are staged until the compactor takes them (lake-staging.ts). */
  staging: LakeStaging;
  /** The staging bucket's client; the caller closes it. @default `client` when given, else one built for the lake's region */
  stagingClient?: S3Client;
  /** The lake bucket's client, for the health check only (tests). @default one built from the settings */
  client?: S3Client;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Amazon Security Lake custom sources, the forwarder's half: each delivery becomes one staged
 * object per OCSF class and day (security-lake-files.ts), gzip JSON lines in the staging area
 * under a name derived from the events it holds (lake-staging.ts). The compactor
 * (lake-compactor.ts) makes the lake's Parquet files of them every few minutes, as Security Lake
 * asks of a custom source. A PUT stores the whole object or nothing, so a file whose PUT failed
 * leaves nothing behind and its events come back as one retry, which stages the same object
 * again; a staged file is never staged a second time under another name.
 */
export function createSecurityLakeSink(options: SecurityLakeSinkOptions): Sink {
  const built: S3Client[] = [];
  const clientFor = (given: S3Client | undefined): S3Client => {
    if (given !== undefined) return given;
    const client = new S3Client({
      region: options.location.region,
      maxAttempts: options.attempts,
      requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    });
    built.push(client);
    return client;
  };
  const lakeClient = clientFor(options.client);
  const stagingClient = options.stagingClient ?? lakeClient;
  const now = options.now ?? Date.now;
  const puts = new Semaphore(options.concurrency);
  const { staging } = options;

  const stageFile = async (file: PlannedFile, events: readonly OutboundEvent[], signal: AbortSignal | undefined): Promise<FileOutcome> => {
    const body = await encodeStagedEvents(file.indices.map((index) => events[index]!));
    const key = stagedKeyOf(staging, file.sourceName, file.eventDay, file.hash);
    const startedAt = now();
    try {
      await stagingClient.send(new PutObjectCommand({ Bucket: staging.bucket, Key: key, Body: body, ContentType: 'application/gzip' }), { abortSignal: signal });
      return { ok: true, latencyMs: now() - startedAt };
    } catch (error) {
      const status = httpStatusOf(error);
      return {
        ok: false,
        ...(status === undefined ? {} : { status }),
        reason: `S3 PutObject s3://${staging.bucket}/${key}: ${describeError(error)}`,
        auth: status === 401 || status === 403,
        latencyMs: now() - startedAt,
      };
    }
  };

  const headBucket = async (client: S3Client, bucket: string, where: string, settings: string, role: string): Promise<SinkHealth> => {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return { ok: true, detail: `${role} bucket ${bucket} answers` };
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 403) return { ok: true, detail: `${role} bucket ${bucket} exists; this identity may not read its metadata (HeadBucket needs s3:ListBucket)` };
      const what = status === 404 ? `no ${role} bucket ${bucket}${where} (${settings})` : `${role} bucket ${bucket}: ${describeError(error)}`;
      return { ok: false, detail: `S3 HeadBucket: ${what}` };
    }
  };

  return {
    name: 'security-lake',
    async deliver(events: readonly OutboundEvent[], signal?: AbortSignal): Promise<SinkDelivery> {
      const plan = planLakeFiles(events, options);
      const delivery: SinkDelivery = { retry: [], dropped: [...plan.dropped], errors: [], latenciesMs: [] };
      const outcomes = await Promise.all(plan.files.map((file) => puts.run(() => stageFile(file, events, signal))));
      plan.files.forEach((file, position) => {
        const outcome = outcomes[position]!;
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
      // The test event is delivered like any other: staged, then in the lake after the next compaction.
      if (healthcheckOptions?.sendTestEvent) return healthcheckOptions.sendTestEvent();
      const { bucket, region } = options.location;
      const checks = [headBucket(lakeClient, bucket, ` in ${region}`, 'SECURITY_LAKE_BUCKET, SECURITY_LAKE_REGION', 'lake')];
      if (staging.bucket !== bucket || stagingClient !== lakeClient) {
        checks.push(headBucket(stagingClient, staging.bucket, '', 'SECURITY_LAKE_STAGING_BUCKET, SECURITY_LAKE_STAGING_REGION', 'staging'));
      }
      const results = await Promise.all(checks);
      const failed = results.filter(({ ok }) => !ok);
      if (failed.length > 0) return { ok: false, detail: failed.map(({ detail }) => detail).join('; ') };
      return { ok: true, detail: `${results.map(({ detail }) => detail).join('; ')}; staging is proven by check --send-test-event` };
    },
    async close(): Promise<void> {
      for (const client of built) client.destroy();
    },
  };
}

/** How writing one file went. */
type FileOutcome = { ok: true; latencyMs: number } | { ok: false; status?: number; reason: string; auth: boolean; latencyMs: number };

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = httpStatusOf(error);
  return `${status === undefined ? '' : `HTTP ${status} `}${error.name}: ${error.message}`;
}
