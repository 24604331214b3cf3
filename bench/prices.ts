/**
 * AWS's public on-demand prices in us-east-1 that the cost model uses, with the date they were
 * taken from AWS's pricing pages. They were not re-read from this machine (it has no internet
 * access): check them before relying on the model, and update `PRICES_AS_OF` with them.
 * Free tiers are ignored (the model prices a tenant that has used them up).
 */
export const PRICES_AS_OF =
  '2025-06 (aws.amazon.com/lambda, /sqs, /dynamodb, /eventbridge, /cloudwatch, /kms, /secrets-manager pricing pages), as known without internet access on this machine: check them';

/** The region the prices are for. */
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  lambda: {
    /** arm64 (Graviton), per GB-second, first pricing tier (the first 6 billion GB-s a month). */
    perGbSecondArm64: 0.0000133334,
    /** Per request (invocation). */
    perRequest: 0.2 / 1_000_000,
  },
  sqs: {
    /** Standard queue, per request (each 64 KiB chunk of a payload is one request), first 100 billion a month. */
    perRequest: 0.4 / 1_000_000,
  },
  dynamodb: {
    /** On-demand, per write request unit (1 KB), after the November 2024 price reduction. */
    perWriteRequestUnit: 0.625 / 1_000_000,
    /** On-demand, per read request unit (4 KB strongly consistent). */
    perReadRequestUnit: 0.125 / 1_000_000,
  },
  scheduler: {
    /** EventBridge Scheduler, per scheduled invocation. */
    perInvocation: 1 / 1_000_000,
  },
  /** aws.amazon.com/cloudwatch/pricing (us-east-1, 2025-06). */
  cloudwatch: {
    /** Per dashboard a month (beyond the first 3 of an account, which are free). */
    perDashboardMonth: 3,
    /** Per metric an alarm reads, a month: a standard-resolution alarm (period of a minute or more). */
    perStandardAlarmMetricMonth: 0.1,
    /** The same at high resolution (a period under a minute). */
    perHighResolutionAlarmMetricMonth: 0.3,
    /** A Metrics Insights query alarm: per metric (series) the query analyses, a month. */
    perInsightsAlarmMetricMonth: 0.1,
    /**
     * Custom metrics (each name and dimension set a metric), per metric a month, prorated by the
     * hour in which it is written; tiers by the account's total count of metrics.
     */
    customMetricTiers: [
      { upTo: 10_000, perMetricMonth: 0.3 },
      { upTo: 250_000, perMetricMonth: 0.1 },
      { upTo: 1_000_000, perMetricMonth: 0.05 },
      { upTo: Number.POSITIVE_INFINITY, perMetricMonth: 0.02 },
    ],
    /** CloudWatch Logs, standard class: ingestion per GB (EMF documents included). */
    perLogIngestedGb: 0.5,
    /** Log storage (archival) per GB a month, of the compressed size. */
    perLogStoredGbMonth: 0.03,
  },
  /** aws.amazon.com/kms/pricing (2025-06). */
  kms: {
    /** A customer-managed key, per month (rotated key material included). */
    perKeyMonth: 1,
    /** Symmetric requests (Decrypt, GenerateDataKey, ...). */
    perRequest: 0.03 / 10_000,
  },
  /** aws.amazon.com/secrets-manager/pricing (2025-06). */
  secretsManager: {
    perSecretMonth: 0.4,
    /** API calls (GetSecretValue). */
    perApiCall: 0.05 / 10_000,
  },
  /** aws.amazon.com/dynamodb/pricing/on-demand (2025-06). */
  dynamodbStorage: {
    /** Table storage per GB a month (after the first 25 GB, ignored as every free tier). */
    perGbMonth: 0.25,
    /** Continuous backups (point-in-time recovery), per GB of table a month. */
    pointInTimeRecoveryPerGbMonth: 0.2,
  },
} as const;
