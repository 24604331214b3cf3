import { describeNoResponse } from '../net/connection-failure.js';
import type { BatchDeliverySettings, RequestOutcome } from './batch-delivery.js';
import type { HttpOutcome } from './http-classify.js';
import type { ProtocolSinkOptions } from './protocol-sink-options.js';
import { deliverySettings } from './protocol-sink-options.js';
import type { SiemLimits } from './siem-limits.js';
import type { SinkHealth } from './sink.js';

/**
 * The settings of a sink that calls an AWS API through its SDK client (EventBridge, Firehose):
 * the shared batch and request settings, without what the SDK owns (the URL, gzip, the CA file).
 * Credentials come from the SDK's default chain: the Lambda's role on AWS, the environment or a
 * profile locally; no setting holds a secret.
 */
export interface AwsApiSinkOptions extends Omit<ProtocolSinkOptions, 'url' | 'gzip' | 'caFile'> {
  /** Another endpoint than the region's (a VPC endpoint, or a local server in tests). */
  endpoint?: string | undefined;
  /** @default the SDK's (AWS_REGION, the profile's) */
  region?: string | undefined;
  /** Tests only: fixed credentials instead of the default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/**
 * The SDK client's configuration: one attempt per call, because the delivery engine retries
 * (with its backoff, `SIEM_ATTEMPTS` and the queue behind it) and the SDK's own retries would
 * multiply them; `SIEM_TIMEOUT_MS` bounds the connection and the answer.
 */
export function awsClientConfig(options: AwsApiSinkOptions) {
  return {
    maxAttempts: 1,
    requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs },
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

/** The delivery engine's settings, batch limits lowered to the API's (`limits`); `perEntry` names its limit of one entry. */
export function awsDeliverySettings(options: AwsApiSinkOptions, limits: SiemLimits, perEntry: string): BatchDeliverySettings {
  const settings = deliverySettings({ ...options, url: options.endpoint ?? '', gzip: false }, limits);
  // The API's limit of one entry applies: its name says so rather than "per request".
  return settings.maxEventBytes === limits.maxEventBytes ? { ...settings, eventLimitName: `${limits.name}'s limit ${perEntry}` } : settings;
}

/** Error names an AWS API throttles or fails transiently with: worth the same call again. */
const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Error names of credentials AWS refused or lacking permission: an alarm, and a retry once fixed. */
const AUTH_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'NotAuthorizedForSourceException',
  'CredentialsProviderError',
]);

interface AwsErrorFields {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * What a call the SDK threw for comes to, in the delivery engine's words: a throttle, a 5xx or
 * no answer at all retry; refused credentials retry flagged for the alarm; 413 splits; any
 * other refusal (an unknown bus or stream, a malformed request) drops the events with AWS's
 * reason. The SDK's messages hold no credentials (they name the key id at most).
 */
export function classifyAwsError(error: unknown, eventCount: number): HttpOutcome {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorFields;
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  const status = fields.$metadata?.httpStatusCode;
  if (status === undefined) {
    if (AUTH_ERRORS.has(name)) return { kind: 'retry', reason: `${name}: ${String(fields.message)}`, auth: true };
    // No answer: refused, reset, timed out (the SDK's TimeoutError), or a region that is not set.
    return { kind: 'retry', reason: name === 'TimeoutError' ? describeNoResponse(error, true) : describeNoResponse(error, false), auth: false };
  }
  const reason = `HTTP ${status} ${name}: ${String(fields.message)}`;
  if (AUTH_ERRORS.has(name) || status === 401 || status === 403) return { kind: 'retry', reason, status, auth: true };
  if (TRANSIENT_ERRORS.has(name) || status === 429 || status >= 500) return { kind: 'retry', reason, status, auth: false };
  if (status === 413) return eventCount > 1 ? { kind: 'split', reason, status } : { kind: 'drop', reason: `${reason} (the event alone is too large)`, status };
  return { kind: 'drop', reason, status };
}

/** One entry of a partly failed call: its position in the call and AWS's error code and message. */
export interface FailedEntry {
  position: number;
  errorCode: string;
  errorMessage?: string | undefined;
}

/**
 * The outcome of a call AWS answered entry by entry (FailedEntryCount, FailedPutCount): the
 * entries with a `retryable` code are sent again alone, the others are dropped with AWS's reason.
 */
export function partialOutcome(api: string, failed: readonly FailedEntry[], retryable: ReadonlySet<string>): RequestOutcome {
  if (failed.length === 0) return { kind: 'ok' };
  const describe = (entry: FailedEntry) => (entry.errorMessage ? `${entry.errorCode}: ${entry.errorMessage}` : entry.errorCode);
  const retry = failed.filter((entry) => retryable.has(entry.errorCode)).map((entry) => entry.position);
  const dropped = failed.filter((entry) => !retryable.has(entry.errorCode)).map((entry) => ({ position: entry.position, reason: `${api} refused the entry: ${describe(entry)}` }));
  return { kind: 'partial', reason: `${api}: ${failed.length} entries failed (first: ${describe(failed[0]!)})`, retry, dropped };
}

/**
 * The outcome of a call that AWS answered with one result per entry sent (PutEvents' Entries,
 * PutRecordBatch's RequestResponses, in the order sent): see partialOutcome. An answer listing
 * fewer or more results than were sent cannot say which landed: all go again.
 */
export function entryResultsOutcome(
  call: { api: string; operation: string; unit: string },
  sent: number,
  results: ReadonlyArray<{ ErrorCode?: string | undefined; ErrorMessage?: string | undefined }>,
  retryable: ReadonlySet<string>,
): RequestOutcome {
  if (results.length !== sent) return { kind: 'retry', reason: `${call.operation} answered ${results.length} ${call.unit} for ${sent}`, auth: false };
  const failed: FailedEntry[] = [];
  results.forEach((result, position) => {
    if (result.ErrorCode !== undefined) failed.push({ position, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage });
  });
  return partialOutcome(call.api, failed, retryable);
}

/** `check`'s account of a describe call that failed: what is wrong and which setting or permission fixes it. */
export function describeAwsHealthFailure(error: unknown, target: string, permission: string): SinkHealth {
  const outcome = classifyAwsError(error, 1);
  const reason = outcome.kind === 'ok' ? 'unknown' : outcome.reason;
  if (outcome.kind === 'retry' && outcome.auth) {
    return { ok: false, detail: `AWS refused the credentials or the permission ${permission} on ${target}: ${reason}; check the role (on AWS) or the AWS_* environment and profile (locally)` };
  }
  if (outcome.kind === 'retry' && outcome.status === undefined) return { ok: false, detail: `cannot reach the AWS endpoint for ${target}: ${reason}; check the region, SIEM_URL (the endpoint override) and the network` };
  return { ok: false, detail: `${target}: ${reason}` };
}
