import * as z from 'zod';
import { booleanValue, errorFor, intIn, text } from './config-values.js';

const objectError = { error: errorFor('must be a JSON object') };

/** Where the S3 archive lives: objects under `s3://bucket/prefix/date=YYYY-MM-DD/`. */
export const archiveS3ConfigSchema = z.strictObject(
  {
    bucket: text('must be an S3 bucket name (3 to 63 lowercase letters, digits, dots or dashes)').regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      error: 'must be an S3 bucket name (3 to 63 lowercase letters, digits, dots or dashes)',
    }),
    // No leading slash: S3 keys are relative; a trailing slash is added when missing.
    prefix: z.string({ error: errorFor('must be a key prefix such as audit-events/') }).regex(/^(?!\/)[^\\]*$/, {
      error: 'must be a key prefix without a leading slash, such as audit-events/',
    }).default('audit-events/'),
  },
  objectError,
);
export type ArchiveS3Config = z.infer<typeof archiveS3ConfigSchema>;

/**
 * The event archive (PAS 6.0's "database persistence of events", docs/origins.md): off by default because of the
 * volume. Locally a SQLite file under the state directory; on AWS (when `s3` is set) compressed
 * NDJSON in S3, partitioned by date. `retentionDays` deletes what is older.
 */
export const archiveConfigSchema = z.strictObject(
  {
    enabled: booleanValue.default(false),
    retentionDays: intIn(1, 36_500).default(90),
    // Records waiting for the background writer; beyond this they are dropped and counted, so
    // a slow or broken archive never holds back delivery to the SIEM.
    bufferEvents: intIn(1, 1_000_000).default(50_000),
    /** The SQLite file; relative to the state directory. */
    file: text('must be a file name').default('audit-events.sqlite'),
    s3: archiveS3ConfigSchema.optional(),
  },
  objectError,
);
export type ArchiveConfig = z.infer<typeof archiveConfigSchema>;
