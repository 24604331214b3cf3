import * as z from 'zod';

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

type IssueLike = { readonly input?: unknown };
const errorFor = (what: string) => (issue: IssueLike) => (issue.input === undefined ? 'is required' : what);
const objectError = { error: errorFor('must be a JSON object') };

function intIn(min: number, max: number, unit = '') {
  const error = errorFor(`must be an integer from ${min} to ${max}${unit}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A poller or forwarder function's size and time limit. */
const functionShape = {
  // Lambda stops a function at 15 minutes.
  timeoutSeconds: intIn(10, 900, ' (seconds)').default(60),
  memoryMb: intIn(128, 10_240, ' (MB)').default(512),
};

/** The poller: its function, and how much of an invocation it may spend reading MPAS. */
export const pollerDeploymentSchema = z.strictObject(
  {
    ...functionShape,
    // x budgetShare 0.8 = 60 s of reading: the re-reads reach the next run of a one-minute schedule (infra/constructs/poller-function.ts).
    timeoutSeconds: intIn(10, 900, ' (seconds)').default(75),
    budgetShare: z
      .number({ error: errorFor('must be a number above 0 and at most 1') })
      .gt(0, { error: 'must be a number above 0 and at most 1' })
      .max(1, { error: 'must be a number above 0 and at most 1' })
      .default(0.8),
  },
  objectError,
);

/** The forwarder: its function and its SQS event source. */
export const forwarderDeploymentSchema = z.strictObject(
  {
    ...functionShape,
    // SQS event sources take up to 10 records without a batching window, 10,000 with one.
    batchSize: intIn(1, 10_000).default(10),
    batchingWindowSeconds: intIn(0, 300, ' (seconds)').default(0),
    // The event source's floor is 2; the SIEM's own limit is siem.concurrency per function.
    maxConcurrency: intIn(2, 1000).default(2),
    // RETRY_BASE_SECONDS and RETRY_MAX_SECONDS (lib/config/lambda-settings.ts): the backoff while
    // the SIEM is down, and the outage the queue's maxReceiveCount is derived to ride out.
    retryBaseSeconds: intIn(1, 43_200, ' (seconds)').default(30),
    retryMaxSeconds: intIn(0, 43_200, ' (seconds)').default(43_200),
  },
  objectError,
);

/** Secrets that already exist, imported by name instead of created (empty) by the stack. */
export const secretNamesSchema = z.strictObject(
  {
    mpas: z.string({ error: errorFor('must be a Secrets Manager secret name') }).regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
      error: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)',
    }).optional(),
    siem: z.string({ error: errorFor('must be a Secrets Manager secret name') }).regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
      error: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)',
    }).optional(),
    // Route name -> the existing secret of that route's SIEM credentials.
    routes: z
      .record(
        z.string().regex(/^[a-z0-9-]{1,40}$/, { error: 'must be a route name (1 to 40 lowercase letters, digits or dashes)' }),
        z.string({ error: errorFor('must be a Secrets Manager secret name') }).regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
          error: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)',
        }),
        objectError,
      )
      .optional(),
  },
  objectError,
);

/**
 * The event archive on AWS (lib/archive's S3 writer): an S3 bucket with a Glue table over it,
 * made only when enabled, its objects deleted after `retentionDays`.
 */
export const archiveDeploymentSchema = z.strictObject(
  {
    enabled: z.boolean({ error: errorFor('must be true or false') }).default(false),
    // lib/config's archive.retentionDays has the same bounds.
    retentionDays: intIn(1, 36_500, ' (days)').default(90),
    // Once a day, the day before is read from MPAS again and compared with the archive
    // (functions/verifier.ts); MissingEvents is alarmed.
    dailyVerification: z.boolean({ error: errorFor('must be true or false') }).default(false),
  },
  objectError,
).refine((archive) => !archive.dailyVerification || archive.enabled, {
  error: 'needs archive.enabled: the daily verification compares MPAS with the archive',
  path: ['dailyVerification'],
});

/**
 * Where and how one tenant is deployed: the AWS environment, the schedule, the functions'
 * limits, the queue, alarms and logs. The service's own settings are the `service` section
 * of the tenant file, validated by lib/config's schema.
 */
export const deploymentSchema = z.strictObject(
  {
    account: z.string({ error: errorFor('must be a 12-digit AWS account id') }).regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' }),
    region: z
      .string({ error: errorFor('must be an AWS region such as eu-central-1') })
      .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { error: 'must be an AWS region such as eu-central-1' }),
    scheduleMinutes: intIn(1, 1440, ' (minutes)').default(1),
    // A team mailbox: it is written into the template, so never a person's address.
    alarmEmail: z.email({ error: errorFor('must be an e-mail address') }),
    lagAlarmSeconds: intIn(60, 86_400, ' (seconds)').default(900),
    // An alarm when a stream's unread events reach this share of the realm's event expiration.
    cursorExpiryAlarmPercent: intIn(1, 99, ' (percent)').optional(),
    logRetentionDays: z
      .number({ error: errorFor(`must be one of ${LOG_RETENTION_DAYS.join(', ')}`) })
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), { error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}` })
      .default(90),
    xray: z.boolean({ error: errorFor('must be true or false') }).default(false),
    // Whose KMS key encrypts the tenant's data (docs/data-at-rest.md, "One key per tenant or one per
    // account"): the operator stack's, shared by the account and region's tenants, or one of its own.
    // Unset means a key of its own, as every tenant had before the shared key existed: a synth cannot
    // tell a deployed tenant from a new one, and switching a deployed tenant's key without
    // retiredKeyArn would leave what is queued under the old key unreadable to its functions. New
    // tenant files (infra/tenants/*.json) say "shared".
    encryptionKey: z
      .enum(['shared', 'tenant'], { error: errorFor('must be "shared" (the operator stack\'s key, one per account and region) or "tenant" (a key of its own)') })
      .default('tenant'),
    // The tenant's own key before it switched to the shared one (its data stack's former KeyArn output):
    // the key is retained, and the functions may still decrypt with it what it encrypted (docs/deploy.md).
    retiredKeyArn: z
      .string({ error: errorFor('must be a KMS key ARN') })
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/, { error: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)' })
      .optional(),
    // Both functions stopped by the template itself, so a deploy during a pause keeps it.
    paused: z.boolean({ error: errorFor('must be true or false') }).default(false),
    poller: pollerDeploymentSchema.prefault({}),
    forwarder: forwarderDeploymentSchema.prefault({}),
    queue: z
      // Unset: derived (queue-retry.ts), VISIBILITY_TIMEOUT_FACTOR x the forwarder's timeout.
      .strictObject({ visibilityTimeoutSeconds: intIn(0, 43_200, ' (seconds)').optional() }, objectError)
      .prefault({}),
    secretNames: secretNamesSchema.prefault({}),
    archive: archiveDeploymentSchema.prefault({}),
  },
  objectError,
).refine((deployment) => deployment.retiredKeyArn === undefined || deployment.encryptionKey === 'shared', {
  error: 'needs encryptionKey "shared": it names the key a tenant used before it switched to the shared one',
  path: ['retiredKeyArn'],
});

/** The validated deployment settings, every default filled in. */
export type DeploymentSettings = z.infer<typeof deploymentSchema>;

/** A tenant file: `deployment` (this schema) and `service` (the config file's shape, minus secrets). */
export const tenantFileSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    deployment: deploymentSchema,
    service: z.record(z.string(), z.unknown(), objectError),
  },
  objectError,
);

/** The poller's validated settings. */
export type PollerDeployment = z.infer<typeof pollerDeploymentSchema>;
/** The forwarder's validated settings. */
export type ForwarderDeployment = z.infer<typeof forwarderDeploymentSchema>;
/** The event archive's validated settings. */
export type ArchiveDeployment = z.infer<typeof archiveDeploymentSchema>;
