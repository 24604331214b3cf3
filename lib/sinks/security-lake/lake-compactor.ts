import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { Semaphore } from '../semaphore.js';
import { bucketObjects } from './lake-s3-objects.js';
import type { BucketObjects, StoredObject } from './lake-s3-objects.js';
import { decodeStagedEvents } from './lake-staged-events.js';
import {
  isManifestKey,
  manifestFolder,
  manifestKeyOf,
  stagedFolder,
  stagedNameOf,
  tombstoneDayFolder,
  tombstoneExpiryFolder,
  tombstoneExpiryKeyOf,
  tombstoneExpiryTimeOf,
  tombstoneFolder,
  tombstoneFolderDay,
  tombstoneKeyOf,
} from './lake-staging.js';
import type { LakeStaging, StagedName } from './lake-staging.js';
import type { ClassColumns } from './ocsf-columns.js';
import { RecordShapeError, storedRecordOf, writeParquetFile } from './parquet-file.js';
import type { StoredRecord } from './parquet-file.js';
import type { LakeFilePlanning } from './security-lake-files.js';
import { lakeObjectKeyOf, partitionPrefix } from './security-lake-layout.js';

/**
 * Staged (gzip) bytes one lake file is made of at most: 8 MiB. A file is built in memory (its
 * records converted, then written by hyparquet-writer in one row group), about 40-45 MiB of peak
 * RSS per staged MB: 64 MB of staged user events in one file peaked at 2.5 GiB, the same cut at
 * 8 MiB into 9 files of 2.8-5.6 MB peaked at 0.7 GiB, which a 1024 MB Lambda holds. Five minutes
 * of 30 full (1 MiB) queue messages of user events stage 8.6 MB, in two sources: their files are
 * 5.2 MB and 0.7 MB (measured with generated traffic; see the commit that set this value).
 */
export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

const DAY_MS = 86_400_000;
/**
 * How long a tombstone is kept: as long as SQS can hand out a message again (the queue's 4 days,
 * then the DLQ's 14 before a redrive puts it back), and a day to spare; the same reckoning as the
 * large-payload bucket's expiry (infra/constructs/large-payload-bucket.ts).
 */
export const DEFAULT_TOMBSTONE_RETENTION_MS = (4 + 14 + 1) * DAY_MS;

/**
 * How often a run looks for tombstones past their retention: a pass lists the day folders of
 * every source, more requests than a run's own work, so one run a day makes it. A tombstone is
 * then deleted within a day after its retention (on AWS the bucket's lifecycle rule may delete it
 * first, at no lesser age).
 */
export const TOMBSTONE_EXPIRY_INTERVAL_MS = DAY_MS;

/** A step of one output's compaction, after which `afterStep` is called. */
export type CompactionStep = 'manifest' | 'output' | 'tombstones' | 'inputs-deleted' | 'manifest-deleted';

/** Settings of one compaction run. */
export interface LakeCompactorOptions extends LakeFilePlanning {
  readonly lakeClient: S3Client;
  readonly stagingClient: S3Client;
  readonly staging: LakeStaging;
  /** Written into each lake file's footer (`created_by`). */
  readonly createdBy: string;
  /** Staged bytes per output at most (one staged object larger than this is an output of its own); see {@link DEFAULT_MAX_FILE_BYTES}. */
  readonly maxFileBytes: number;
  /** Tombstones older than this are deleted, by the day's expiry pass ({@link TOMBSTONE_EXPIRY_INTERVAL_MS}); see {@link DEFAULT_TOMBSTONE_RETENTION_MS}. */
  readonly tombstoneRetentionMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called after each step; a test throws here to play a crash between steps. */
  readonly afterStep?: (step: CompactionStep, outputKey: string) => void | Promise<void>;
}

/** What one run did. */
export interface CompactionReport {
  /**
   * Lake files written: a resumed compaction whose inputs have tombstones writes none, one stopped
   * between its file and the file's first tombstone writes it again (the same name and records).
   */
  readonly filesWritten: number;
  /** Events in the files written. */
  readonly eventsWritten: number;
  /** Staged objects taken into lake files (and deleted). */
  readonly stagedConsumed: number;
  /**
   * Events not written because they are in the lake already: those of a staged object compacted
   * before (staged again by a message SQS handed out once more), and the repeats of an event
   * inside one file (the same event staged in two objects).
   */
  readonly duplicatesDropped: number;
  /** Compactions an earlier run began and this one finished. */
  readonly manifestsResumed: number;
  readonly tombstonesExpired: number;
  /** Bytes of the lake files written. */
  readonly bytesWritten: number;
}

/** A run that could not finish some of its work; what it left is taken up by the next run. */
export class LakeCompactionError extends Error {
  override readonly name = 'LakeCompactionError';
  constructor(
    readonly where: string,
    readonly problems: readonly unknown[],
  ) {
    super(`the compaction of ${where} left work to the next run: ${problems.map(describe).join('; ')}`, { cause: problems[0] });
  }
}

/** An unfinished compaction: where its file goes and the staged objects it is made of. */
const manifestSchema = z.strictObject({
  outputKey: z.string().min(1),
  inputs: z.array(z.string().min(1)).min(1),
});
type Manifest = z.infer<typeof manifestSchema>;

/** One lake file to make: its key, its class's columns, and its staged inputs (sorted keys). */
interface Output {
  readonly manifestKey: string;
  readonly outputKey: string;
  readonly classUid: number;
  readonly columns: ClassColumns;
  readonly inputs: readonly string[];
}

/** Requests to S3 at once, within one step. */
const REQUESTS_AT_ONCE = 8;
const LAKE_FILE = /^ext\/([A-Za-z0-9_-]{1,20})\/region=[^/]+\/accountId=[^/]+\/eventDay=(\d{8})\/mpas-(\d+)-([0-9a-f]{32})\.parquet$/;

/**
 * One compaction run: the forwarder's staged events become the lake's Parquet files, one per
 * custom source, day and {@link LakeCompactorOptions.maxFileBytes} of staged input. Each file's
 * manifest is written first and deleted last, and every step can be done again with the same
 * result, so a run stopped anywhere (a crash, a timeout) leaves either its manifest, which the
 * next run finishes first with the same inputs and the same file name, or the staged objects as
 * they were: every event lands in exactly one lake file. One run at a time per staging area (the
 * Lambda's reserved concurrency, the local runner's loop).
 * A run's requests follow what is staged: it lists the manifests, the staged objects and the
 * tombstones of the days these are of, and once a day the tombstone folders that may hold some
 * past their retention; never the whole retention's tombstones.
 * Throws {@link LakeCompactionError} when some file could not be made, after making the others.
 */
export async function compactLake(options: LakeCompactorOptions): Promise<CompactionReport> {
  const { staging, signal } = options;
  const now = options.now ?? Date.now;
  const stagingBucket = bucketObjects(options.stagingClient, staging.bucket, signal);
  const lakeBucket = bucketObjects(options.lakeClient, options.location.bucket, signal);
  const report = { filesWritten: 0, eventsWritten: 0, stagedConsumed: 0, duplicatesDropped: 0, manifestsResumed: 0, tombstonesExpired: 0, bytesWritten: 0 };
  const problems: unknown[] = [];
  // A problem of one file is kept and the others go on; an abort ends the run where it is.
  const attempt = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (signal?.aborted) throw error;
      problems.push(error);
    }
  };
  const context: RunContext = { options, stagingBucket, lakeBucket, report };

  // a. Unfinished compactions first: their inputs go into no other file.
  const claimed = new Set<string>();
  const manifests: Array<{ key: string; output: Output }> = [];
  let manifestsKnown = true;
  for (const { key } of await stagingBucket.list(manifestFolder(staging))) {
    if (!isManifestKey(staging, key)) continue;
    try {
      const output = await readManifest(context, key);
      for (const input of output.inputs) claimed.add(input);
      manifests.push({ key, output });
    } catch (error) {
      if (signal?.aborted) throw error;
      // Its inputs are unknown, so any staged object might be one: nothing new is compacted.
      manifestsKnown = false;
      problems.push(error);
    }
  }
  for (const { output } of manifests) {
    await attempt(async () => {
      await finishOutput(context, output, true);
      report.manifestsResumed += 1;
    });
  }

  // Tombstones past their retention go, in at most one run a day.
  await attempt(async () => {
    report.tombstonesExpired += await expireTombstones(context, now());
  });

  if (manifestsKnown) {
    // b. What is staged, by source and day.
    const groups = new Map<string, { source: string; eventDay: string; inputs: Array<{ key: string; size: number; name: StagedName }> }>();
    for (const { key, size } of await stagingBucket.list(stagedFolder(staging))) {
      const name = stagedNameOf(staging, key);
      if (name === undefined || claimed.has(key)) continue;
      const groupKey = `${name.source}/${name.eventDay}`;
      let group = groups.get(groupKey);
      if (group === undefined) groups.set(groupKey, (group = { source: name.source, eventDay: name.eventDay, inputs: [] }));
      group.inputs.push({ key, size, name });
    }
    // A staged object with a tombstone is in the lake already. Only the tombstones of the days
    // staged now are listed: a run's requests follow what is staged, not the retention's history.
    const listings = new Semaphore(REQUESTS_AT_ONCE);
    const checked = await Promise.all(
      [...groups.values()].map((group) =>
        listings.run(async () => {
          try {
            return { ...group, tombstones: await tombstonesOf(context, group.source, group.eventDay) };
          } catch (error) {
            if (signal?.aborted) throw error;
            // Unknown tombstones: any of these objects might be in the lake, so none is taken.
            problems.push(error);
            return undefined;
          }
        }),
      ),
    );
    const waiting: Array<{ source: string; eventDay: string; inputs: Array<{ key: string; size: number }> }> = [];
    for (const group of checked) {
      if (group === undefined) continue;
      const fresh: Array<{ key: string; size: number }> = [];
      for (const { key, size, name } of group.inputs) {
        if (group.tombstones.has(tombstoneKeyOf(staging, name))) await attempt(() => dropDuplicate(context, key));
        else fresh.push({ key, size });
      }
      if (fresh.length > 0) waiting.push({ source: group.source, eventDay: group.eventDay, inputs: fresh });
    }

    // c-e. One file per source, day and size limit.
    const classesOf = classesBySource(options.sources);
    for (const { source, eventDay, inputs } of waiting) {
      const classes = classesOf.get(source) ?? [];
      if (classes.length !== 1) {
        problems.push(
          new Error(
            classes.length === 0
              ? `${inputs.length} staged objects of source ${source} (eventDay ${eventDay}) wait: no OCSF class has that source in SECURITY_LAKE_SOURCES (siem.securityLake.sources)`
              : `${inputs.length} staged objects of source ${source} (eventDay ${eventDay}) wait: SECURITY_LAKE_SOURCES gives it to classes ${classes.join(' and ')}, and a custom source takes one class`,
          ),
        );
        continue;
      }
      const classUid = classes[0]!;
      const columns = options.columnsOf(classUid);
      if (columns === undefined) {
        problems.push(new Error(`${inputs.length} staged objects of source ${source} wait: this version has no Parquet schema of OCSF class ${classUid}`));
        continue;
      }
      for (const batch of packInputs(inputs, options.maxFileBytes)) {
        const outputHash = outputHashOf(classUid, eventDay, batch);
        const output: Output = {
          manifestKey: manifestKeyOf(staging, outputHash),
          outputKey: lakeObjectKeyOf(options.location, source, eventDay, classUid, outputHash),
          classUid,
          columns,
          inputs: batch,
        };
        await attempt(async () => {
          const manifest: Manifest = { outputKey: output.outputKey, inputs: [...output.inputs] };
          await stagingBucket.put(output.manifestKey, JSON.stringify(manifest), 'application/json');
          await options.afterStep?.('manifest', output.outputKey);
          await finishOutput(context, output, false);
        });
      }
    }
  }

  if (problems.length > 0) throw new LakeCompactionError(`s3://${staging.bucket}/${staging.prefix}`, problems);
  return report;
}

interface RunContext {
  readonly options: LakeCompactorOptions;
  readonly stagingBucket: BucketObjects;
  readonly lakeBucket: BucketObjects;
  readonly report: { -readonly [Field in keyof CompactionReport]: number };
}

/** The output a manifest names, checked against this lake and staging area. */
async function readManifest({ options, stagingBucket }: RunContext, key: string): Promise<Output> {
  const body = await stagingBucket.get(key);
  if (body === undefined) throw new Error(`manifest s3://${stagingBucket.bucket}/${key} vanished while this run read it: is a second compactor running on this staging area?`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new Error(`manifest s3://${stagingBucket.bucket}/${key}: not JSON`);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`manifest s3://${stagingBucket.bucket}/${key}: ${issue?.path.join('.') || '(manifest)'} ${issue?.message ?? 'is invalid'}`);
  }
  const { outputKey, inputs } = parsed.data;
  const match = LAKE_FILE.exec(outputKey);
  const [, source, eventDay, classText, hash] = match ?? [];
  if (match === null || !outputKey.startsWith(partitionPrefix(options.location, source!, eventDay!)) || `${hash}.json` !== key.slice(key.lastIndexOf('/') + 1)) {
    throw new Error(`manifest s3://${stagingBucket.bucket}/${key}: outputKey ${outputKey} is no file of this manifest in s3://${options.location.bucket} (region ${options.location.region}, account ${options.location.accountId})`);
  }
  const stranger = inputs.find((input) => {
    const name = stagedNameOf(options.staging, input);
    return name === undefined || name.source !== source || name.eventDay !== eventDay;
  });
  if (stranger !== undefined) throw new Error(`manifest s3://${stagingBucket.bucket}/${key}: input ${stranger} is no staged object of source ${source} on ${eventDay}`);
  const classUid = Number(classText);
  const columns = options.columnsOf(classUid);
  if (columns === undefined) throw new Error(`manifest s3://${stagingBucket.bucket}/${key}: this version has no Parquet schema of OCSF class ${classUid}`);
  return { manifestKey: key, outputKey, classUid, columns, inputs };
}

/**
 * Steps d-e of one output: the lake file, a tombstone per input, the inputs deleted, the manifest
 * deleted. A resumed output is written again unless one of its inputs has a tombstone: those are
 * written after the file, and an input has none from before (a staged object with a tombstone is
 * dropped, never put in a manifest). Its inputs may be gone then. The lake itself is not asked:
 * the compactor may only PUT there, as a custom source's role may, and a HEAD would be refused.
 * A run stopped between the file and its first tombstone leaves the file to be written again,
 * under the same name with the same records.
 */
async function finishOutput(context: RunContext, output: Output, resumed: boolean): Promise<void> {
  const { options, stagingBucket, lakeBucket, report } = context;
  const { staging } = options;
  const step = async (name: CompactionStep): Promise<void> => {
    options.signal?.throwIfAborted();
    await options.afterStep?.(name, output.outputKey);
  };

  if (!resumed || !(await anyInputCompacted(context, output))) {
    const { records, repeats } = await mergeInputs(context, output);
    const body = writeParquetFile(records, output.columns, options.createdBy);
    await lakeBucket.put(output.outputKey, body, 'application/vnd.apache.parquet');
    report.filesWritten += 1;
    report.eventsWritten += records.length;
    report.bytesWritten += body.length;
    report.duplicatesDropped += repeats;
  }
  await step('output');

  const puts = new Semaphore(REQUESTS_AT_ONCE);
  await Promise.all(
    output.inputs.map((input) => puts.run(() => stagingBucket.put(tombstoneKeyOf(staging, stagedNameOf(staging, input)!), output.outputKey, 'text/plain'))),
  );
  await step('tombstones');
  await stagingBucket.delete(output.inputs);
  report.stagedConsumed += output.inputs.length;
  await step('inputs-deleted');
  await stagingBucket.delete([output.manifestKey]);
  await step('manifest-deleted');
}

/**
 * The records of an output's inputs, converted for its columns, sorted by time then event key;
 * an event staged twice (in two objects) is kept once.
 */
async function mergeInputs({ options, stagingBucket }: RunContext, output: Output): Promise<{ records: StoredRecord[]; repeats: number }> {
  const gets = new Semaphore(REQUESTS_AT_ONCE);
  // Each input is converted as soon as it is read, so that only the converted records stay in
  // memory; they are merged in input order, so that the copy kept of an event staged twice does
  // not depend on which read ended first.
  const converted = await Promise.all(
    output.inputs.map((input) =>
      gets.run(async () => {
        const body = await stagingBucket.get(input);
        if (body === undefined) {
          throw new Error(`staged object s3://${stagingBucket.bucket}/${input} is gone, and ${output.outputKey} was not written (no input of it has a tombstone): manifest ${output.manifestKey} cannot be finished (were staged objects deleted by hand or by a lifecycle rule?)`);
        }
        return (await decodeStagedEvents(body, input)).map(({ time, key, record }) => {
          if (record['class_uid'] !== output.classUid) throw new Error(`staged object ${input}, event ${key}: class_uid ${String(record['class_uid'])} where its source takes ${output.classUid}`);
          try {
            return { time, key, record: storedRecordOf(record, output.columns) };
          } catch (error) {
            if (error instanceof RecordShapeError) throw new Error(`staged object ${input}, event ${key}: OCSF class ${output.classUid}: ${error.message}`);
            throw error;
          }
        });
      }),
    ),
  );
  options.signal?.throwIfAborted();
  const seen = new Set<string>();
  const merged: Array<{ time: number; key: string; record: StoredRecord }> = [];
  let repeats = 0;
  for (const events of converted) {
    for (const event of events) {
      if (seen.has(event.key)) repeats += 1;
      else {
        seen.add(event.key);
        merged.push(event);
      }
    }
  }
  // Security Lake: records ordered by time within an object, which makes its queries cheaper.
  merged.sort((a, b) => a.time - b.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { records: merged.map(({ record }) => record), repeats };
}

/** Whether an input of a manifest (all of one source and day) has its tombstone: then its file is in the lake. */
async function anyInputCompacted(context: RunContext, output: Output): Promise<boolean> {
  const { staging } = context.options;
  const names = output.inputs.map((input) => stagedNameOf(staging, input)!);
  const tombstones = await tombstonesOf(context, names[0]!.source, names[0]!.eventDay);
  return names.some((name) => tombstones.has(tombstoneKeyOf(staging, name)));
}

/** The tombstones of a source's day: the staged objects of that day already in the lake. */
async function tombstonesOf({ options, stagingBucket }: RunContext, source: string, eventDay: string): Promise<Set<string>> {
  return new Set((await stagingBucket.list(tombstoneDayFolder(options.staging, source, eventDay))).map(({ key }) => key));
}

/**
 * Deletes the tombstones last written before `now - tombstoneRetentionMs`, when the last pass
 * (noted in the staging area) is {@link TOMBSTONE_EXPIRY_INTERVAL_MS} old; the number deleted.
 * Only the day folders that can hold such tombstones are listed.
 */
async function expireTombstones({ options, stagingBucket }: RunContext, now: number): Promise<number> {
  const { staging } = options;
  const notes = (await stagingBucket.list(tombstoneExpiryFolder(staging))).map(({ key }) => key);
  const last = Math.max(-Infinity, ...notes.map((key) => tombstoneExpiryTimeOf(staging, key) ?? -Infinity));
  // A note later than `now` (a clock set back) does not hold the pass off.
  if (last <= now && now - last < TOMBSTONE_EXPIRY_INTERVAL_MS) return 0;

  const oldest = now - options.tombstoneRetentionMs;
  const expired: string[] = [];
  const take = (objects: readonly StoredObject[]): void => {
    for (const { key, lastModified } of objects) if (lastModified < oldest) expired.push(key);
  };
  const top = await stagingBucket.folders(tombstoneFolder(staging));
  // No tombstones: nothing to expire, and nothing to note (an unused staging area stays empty).
  if (top.folders.length === 0 && top.objects.length === 0) return 0;
  take(top.objects);
  for (const sourceFolder of top.folders) {
    const days = await stagingBucket.folders(sourceFolder);
    take(days.objects);
    for (const dayFolder of days.folders) {
      const eventDay = tombstoneFolderDay(sourceFolder, dayFolder);
      // A tombstone is written after its events happened, so none under a day that began after
      // `oldest` is past its retention (a clock ahead of S3's only keeps one a day longer).
      if (eventDay !== undefined && dayStartOf(eventDay) >= oldest) continue;
      take(await stagingBucket.list(dayFolder));
    }
  }
  await stagingBucket.delete(expired);
  const note = tombstoneExpiryKeyOf(staging, now);
  await stagingBucket.put(note, '', 'text/plain');
  await stagingBucket.delete(notes.filter((key) => key !== note));
  return expired.length;
}

/** Epoch milliseconds of a `yyyyMMdd` day's UTC start. */
function dayStartOf(eventDay: string): number {
  return Date.UTC(Number(eventDay.slice(0, 4)), Number(eventDay.slice(4, 6)) - 1, Number(eventDay.slice(6, 8)));
}

/** A staged object compacted before: deleted, its events counted as duplicates. */
async function dropDuplicate({ stagingBucket, report }: RunContext, key: string): Promise<void> {
  const body = await stagingBucket.get(key);
  if (body === undefined) return;
  const events = await decodeStagedEvents(body, key);
  await stagingBucket.delete([key]);
  report.duplicatesDropped += events.length;
}

/** The classes of each custom source (Security Lake takes one class per source). */
function classesBySource(sources: ReadonlyMap<number, string>): Map<string, number[]> {
  const classes = new Map<string, number[]>();
  for (const [classUid, source] of sources) classes.set(source, [...(classes.get(source) ?? []), classUid]);
  return classes;
}

/**
 * Inputs, in key order, cut into outputs of at most `maxBytes` staged bytes each; an input larger
 * than that is an output of its own. The same inputs always make the same outputs.
 */
export function packInputs(inputs: ReadonlyArray<{ key: string; size: number }>, maxBytes: number): string[][] {
  const sorted = [...inputs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const outputs: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const { key, size } of sorted) {
    if (current.length > 0 && bytes + size > maxBytes) {
      outputs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(key);
    bytes += size;
  }
  if (current.length > 0) outputs.push(current);
  return outputs;
}

/** The output's hash (32 hex digits): of its class, day and sorted input keys. */
export function outputHashOf(classUid: number, eventDay: string, sortedInputs: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`${classUid}\n${eventDay}\n`);
  for (const input of sortedInputs) hash.update(`${input}\n`);
  return hash.digest('hex').slice(0, 32);
}

function describe(problem: unknown): string {
  return problem instanceof Error ? problem.message : String(problem);
}
