import * as z from 'zod';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { Environment } from './env-settings.js';

/**
 * The settings only the Lambda functions have: where their AWS resources are (the stack sets
 * these), how much of an invocation the poller may spend, and the forwarder's retry backoff.
 * They are wiring, not the tenant's configuration, so they stay out of the config file's
 * schema and env-var-table.ts (whose rows each fill a config path); their names are listed
 * here once, in {@link LAMBDA_ENV_VARS}.
 */
export interface LambdaSettings {
  /** ARN of the MPAS credentials secret (`{ username, password }` or `{ clientSecret }`). */
  mpasSecretArn?: string;
  /** ARN of the SIEM credentials secret (`{ token }`, `{ authHeader }` or `{ username, password }`). */
  siemSecretArn?: string;
  cursorTableName?: string;
  idempotencyTableName?: string;
  queueUrl?: string;
  deadLetterQueueUrl?: string;
  /** Share of the invocation's remaining time the poller may spend reading. @default 0.8 */
  pollBudgetShare: number;
  /**
   * How long a delivered batch id is remembered. @default 345600 (4 days): SQS's default
   * retention, so a copy of a batch can never outlive the record that drops it; a queue with a
   * longer retention (up to 14 days) needs this raised to match.
   */
  idempotencyTtlSeconds: number;
  /** The ceiling of the forwarder's first backoff step (equal jitter: at least half of it). @default 30 */
  retryBaseSeconds: number;
  /**
   * The largest backoff step (SQS caps a visibility timeout at 12 hours), and the SIEM outage the
   * queue's maxReceiveCount is derived to ride out (lib/aws/retry-window.ts). @default 43200
   */
  retryMaxSeconds: number;
  /**
   * The bucket of queue payloads too large for a message (lib/core/queue/claim-check.ts): the poller
   * stores an event over SQS's limit there, the forwarder reads it back. Unset: such an event
   * stops its stream (EventTooLargeError).
   */
  largePayloadBucket?: string;
  /** The KMS key (ARN or id) every large payload is encrypted with; unset: the bucket's default. */
  largePayloadKmsKey?: string;
  /** The forwarder archives every event (redacted) to this S3 bucket when set (lib/archive). */
  archiveBucket?: string;
  /** Key prefix of the archive's date partitions. @default 'audit-events/' */
  archivePrefix?: string;
  /**
   * The routes' non-secret settings, as JSON text: the config file's `routes` list
   * (lambda-routes.ts parses it and lib/config's schema checks it).
   */
  routes?: string;
  /**
   * JSON text `{ "<route name>": "<secret ARN or name>" }`: each route's SIEM credentials, in
   * the shapes of the SIEM secret.
   */
  routeSecretArns?: string;
}

/** The variable behind each Lambda setting. */
export const LAMBDA_ENV_VARS = {
  mpasSecretArn: 'MPAS_SECRET_ARN',
  siemSecretArn: 'SIEM_SECRET_ARN',
  cursorTableName: 'CURSOR_TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  queueUrl: 'QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  pollBudgetShare: 'POLL_BUDGET_SHARE',
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  retryBaseSeconds: 'RETRY_BASE_SECONDS',
  retryMaxSeconds: 'RETRY_MAX_SECONDS',
  largePayloadBucket: 'LARGE_PAYLOAD_BUCKET',
  largePayloadKmsKey: 'LARGE_PAYLOAD_KMS_KEY',
  archiveBucket: 'ARCHIVE_BUCKET',
  archivePrefix: 'ARCHIVE_PREFIX',
  routes: 'ROUTES',
  routeSecretArns: 'ROUTE_SECRET_ARNS',
} as const satisfies Record<keyof LambdaSettings, string>;

const MAX_VISIBILITY_SECONDS = 43_200;
const optionalText = z.string().trim().min(1).optional();
const integer = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` })
    .default(fallback);

const lambdaSettingsSchema = z.object({
  mpasSecretArn: optionalText,
  siemSecretArn: optionalText,
  cursorTableName: optionalText,
  idempotencyTableName: optionalText,
  queueUrl: optionalText,
  deadLetterQueueUrl: optionalText,
  pollBudgetShare: z.coerce
    .number({ error: 'must be a number' })
    .gt(0, { error: 'must be a number above 0 and at most 1' })
    .max(1, { error: 'must be a number above 0 and at most 1' })
    .default(0.8),
  idempotencyTtlSeconds: integer(60, 365 * 86_400, 4 * 86_400),
  retryBaseSeconds: integer(0, MAX_VISIBILITY_SECONDS, 30),
  retryMaxSeconds: integer(0, MAX_VISIBILITY_SECONDS, MAX_VISIBILITY_SECONDS),
  largePayloadBucket: optionalText,
  largePayloadKmsKey: optionalText,
  archiveBucket: optionalText,
  archivePrefix: optionalText,
  routes: optionalText,
  routeSecretArns: optionalText,
});

/**
 * Reads the Lambda settings from the environment (empty counts as unset, as for every other
 * variable). Throws a {@link ConfigError} naming each bad variable.
 */
export function readLambdaSettings(env: Environment = process.env): LambdaSettings {
  const input: Record<string, string> = {};
  for (const [key, name] of Object.entries(LAMBDA_ENV_VARS)) {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') input[key] = raw.trim();
  }
  const parsed = lambdaSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
      setting: LAMBDA_ENV_VARS[issue.path[0] as keyof LambdaSettings] ?? String(issue.path[0]),
      message: issue.message,
    }));
    throw new ConfigError(problems);
  }
  const settings = parsed.data as LambdaSettings;
  if (settings.retryBaseSeconds > settings.retryMaxSeconds) {
    throw new ConfigError([{ setting: 'RETRY_BASE_SECONDS', message: 'must not exceed RETRY_MAX_SECONDS' }]);
  }
  return settings;
}

/** The setting `key` or, when it is unset, a {@link ConfigError} naming its variable. */
export function requireSetting<K extends keyof LambdaSettings>(settings: LambdaSettings, key: K): NonNullable<LambdaSettings[K]> {
  const value = settings[key];
  if (value === undefined) throw new ConfigError([{ setting: LAMBDA_ENV_VARS[key], message: 'must be set' }]);
  return value as NonNullable<LambdaSettings[K]>;
}
