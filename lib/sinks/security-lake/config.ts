import * as z from 'zod';
import { errorFor, intIn, oneOf } from '../../config/config-values.js';
import { FORMAT_NAMES } from '../../core/formats/format-registry.js';
import { VERSION } from '../../version.js';
import { awsName, awsRegion, awsSiemShape } from '../aws-siem-config.js';
import { objectError, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/**
 * The custom source of each OCSF class the ocsf format produces (Security Lake takes one class
 * per source). Names stay within 20 characters: Security Lake names the source's provider role
 * `AmazonSecurityLake-Provider-<source>-<region>`, which IAM holds to 64.
 */
export const DEFAULT_SECURITY_LAKE_SOURCES: Readonly<Record<string, string>> = {
  '3001': 'mpas-account-change',
  '3002': 'mpas-authentication',
  '3004': 'mpas-entity-mgmt',
  '3005': 'mpas-user-access',
  '3006': 'mpas-group-mgmt',
  '6003': 'mpas-api-activity',
};

/** Where the forwarder stages events when SECURITY_LAKE_STAGING_PREFIX is not set (lake-staging.ts). */
export const DEFAULT_STAGING_PREFIX = 'mpas-log-sync-staging/';
/** Minutes between two compactions when SECURITY_LAKE_FILE_INTERVAL_MINUTES is not set: Security Lake's shortest recommended increment. */
export const DEFAULT_FILE_INTERVAL_MINUTES = 5;

const SOURCE_NAME = /^[A-Za-z0-9_-]{1,20}$/;
const CLASS_UID = /^[1-9]\d{3,5}$/;

/** `{"<class_uid>": "<custom source>"}`, laid over the defaults class by class; a problem names its class. */
const sourcesSchema = z
  .record(z.string(), z.unknown(), { error: errorFor('must be a JSON object of OCSF class_uid to custom source name, such as {"3002": "mpas-authentication"}') })
  .superRefine((sources, context) => {
    for (const [classUid, name] of Object.entries(sources)) {
      if (!CLASS_UID.test(classUid)) context.addIssue({ code: 'custom', path: [classUid], message: `${JSON.stringify(classUid)} is no OCSF class_uid (such as 3002)` });
      else if (typeof name !== 'string' || !SOURCE_NAME.test(name)) {
        context.addIssue({ code: 'custom', path: [classUid], message: `the source of class ${classUid} must be 1 to 20 letters, digits, - or _ (Security Lake's custom source names)` });
      }
    }
  })
  .default({})
  // Every value is a source name once the refinement passed.
  .transform((sources) => ({ given: sources as Record<string, string>, merged: { ...DEFAULT_SECURITY_LAKE_SOURCES, ...(sources as Record<string, string>) } }))
  // Security Lake takes one class per custom source: two classes under one name would wait in
  // staging for ever (the compactor cannot tell which class a file of that source is).
  .superRefine(({ given, merged }, context) => {
    const classesOf = new Map<string, string[]>();
    for (const [classUid, source] of Object.entries(merged)) classesOf.set(source, [...(classesOf.get(source) ?? []), classUid]);
    for (const [source, classes] of classesOf) {
      if (classes.length < 2) continue;
      const named = classes.map((classUid) => (classUid in given ? classUid : `${classUid} (by default)`));
      context.addIssue({ code: 'custom', message: `gives source ${source} to classes ${named.join(' and ')}: a Security Lake custom source takes one class, so give each class its own source` });
    }
  })
  .transform(({ merged }) => merged);

const STAGING_PREFIX_ERROR = 'must be S3 key segments each ending in / (letters, digits and ! - _ . * \' ( )), such as mpas-log-sync-staging/, and not under ext/ (Security Lake\'s sources)';
/**
 * The staging area's key prefix: plain key segments, so that the compactor's listing sees exactly
 * what the forwarder staged; never under `ext/`, where Security Lake would take a staged object
 * for a source's file when the staging bucket is the lake's.
 */
const stagingPrefix = z
  .string({ error: errorFor(STAGING_PREFIX_ERROR) })
  .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { error: STAGING_PREFIX_ERROR })
  .refine((prefix) => !prefix.startsWith('ext/'), { error: STAGING_PREFIX_ERROR })
  .default(DEFAULT_STAGING_PREFIX);

/**
 * Amazon Security Lake custom sources: OCSF records as Parquet objects in the lake's bucket
 * (docs/siems.md, "Amazon Security Lake"). `url` only overrides the S3 endpoint (tests, a local
 * emulator); the format is ocsf, the only one Security Lake stores.
 */
export const securityLakeSiemSchema = z.strictObject(
  {
    type: z.literal('security-lake'),
    ...awsSiemShape,
    format: oneOf(FORMAT_NAMES)
      .refine((name) => name === 'ocsf', { error: 'must be ocsf: Security Lake stores OCSF records only' })
      .default('ocsf'),
    timeoutMs: siemCommonShape.timeoutMs,
    concurrency: siemCommonShape.concurrency,
    attempts: siemCommonShape.attempts,
    securityLake: z.strictObject(
      {
        bucket: awsName('must be an S3 bucket name (3 to 63 lowercase letters, digits, . or -)', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
        region: awsRegion,
        accountId: awsName('must be a 12-digit AWS account id, or external / external_<id> for records of accounts outside AWS', /^(\d{12}|external(_[A-Za-z0-9-]+)?)$/),
        sources: sourcesSchema,
        /** The bucket's customer-managed key: the stack lets the forwarder use it for its PUTs. */
        kmsKeyArn: awsName('must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/).optional(),
        /** Minutes between two compactions of the staged events into the lake's files (lake-compactor.ts). */
        fileIntervalMinutes: intIn(5, 1440).default(DEFAULT_FILE_INTERVAL_MINUTES),
        /** The bucket the forwarder stages events in; unset: the lake's bucket (on AWS the stack sets its own). */
        stagingBucket: awsName('must be an S3 bucket name (3 to 63 lowercase letters, digits, . or -)', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).optional(),
        stagingPrefix,
        /** The staging bucket's region; unset: the lake's. */
        stagingRegion: awsRegion.optional(),
      },
      objectError,
    )
      // Absent, each of its required settings is reported by name.
      .prefault({} as { bucket: string; region: string; accountId: string }),
  },
  objectError,
);

/** The security-lake SIEM type: its settings, and its sink built from them. */
export const securityLakeSinkType = defineSinkType('security-lake', securityLakeSiemSchema, async (config) => {
  const [{ createSecurityLakeSink }, { ocsfClassColumns }, { lakeS3Client }] = await Promise.all([
    import('./security-lake-sink.js'),
    import('./ocsf-class-columns.js'),
    import('./lake-s3-client.js'),
  ]);
  const settings = lakeSettingsOf(config);
  // The sink closes only the client it made itself (the lake's): this one goes with it below.
  const stagingClient = lakeS3Client(settings.stagingRegion, config);
  const sink = createSecurityLakeSink({
    location: settings.location,
    sources: settings.sources,
    columnsOf: ocsfClassColumns,
    endpoint: config.url,
    timeoutMs: config.timeoutMs,
    attempts: config.attempts,
    concurrency: config.concurrency,
    createdBy: CREATED_BY,
    staging: settings.staging,
    stagingClient,
  });
  return {
    name: sink.name,
    deliver: (events, signal) => sink.deliver(events, signal),
    healthcheck: (options) => sink.healthcheck(options),
    async close() {
      try {
        await sink.close();
      } finally {
        stagingClient.destroy();
      }
    },
  };
});

/** The `created_by` of every Parquet file this version writes. */
export const CREATED_BY = `mpas-log-sync version ${VERSION}`;

/** A security-lake destination's settings. */
export type SecurityLakeSiemConfig = z.infer<typeof securityLakeSiemSchema>;

/** Where a security-lake destination writes and stages, as the sink and the compactor take it. */
export interface LakeSettings {
  readonly location: { readonly bucket: string; readonly region: string; readonly accountId: string };
  readonly sources: ReadonlyMap<number, string>;
  readonly staging: { readonly bucket: string; readonly prefix: string };
  readonly stagingRegion: string;
  readonly fileIntervalMs: number;
}

/** The lake and its staging area from the settings: the staging bucket and region default to the lake's. */
export function lakeSettingsOf(config: SecurityLakeSiemConfig): LakeSettings {
  const { bucket, region, accountId, sources, fileIntervalMinutes, stagingBucket, stagingPrefix: prefix, stagingRegion } = config.securityLake;
  return {
    location: { bucket, region, accountId },
    sources: new Map(Object.entries(sources).map(([classUid, source]) => [Number(classUid), source])),
    staging: { bucket: stagingBucket ?? bucket, prefix },
    stagingRegion: stagingRegion ?? region,
    fileIntervalMs: fileIntervalMinutes * 60_000,
  };
}
