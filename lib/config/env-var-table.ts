/**
 * The table of settings: the environment variables, a contract inherited from the original
 * Multi-Pass Log Sync Service (docs/origins.md; it was configured by them alone), each with the config path it fills, how its
 * text is read, and whether it is a secret or for the local mode only. Everything that hides,
 * refuses or ships settings reads those flags here (config-secrets.ts, env-settings.ts,
 * lambda-config.ts, infra/config), so a new secret setting is one row.
 * docs/configuration.md documents every row; a test keeps the two in step.
 */

/**
 * How an environment variable's text becomes a value:
 * - `text`: trimmed; `secret`: as is (spaces may belong to a password);
 * - `int`, `boolean` (true/false, 1/0, yes/no), `word` (lowercased, for enums);
 * - `list`, `wordList`: comma-separated; `redactList`: the same, but empty means "none";
 * - `startFrom`: `now`, epoch milliseconds or ISO-8601; `fields`: `*` or a list;
 * - `json`: JSON text; `siemAuth`: one of the SIEM credentials, read as a group;
 * - `configFile`: the config file's path, read by the loader, not part of the config.
 */
export type EnvKind =
  | 'text'
  | 'secret'
  | 'int'
  | 'boolean'
  | 'word'
  | 'list'
  | 'wordList'
  | 'redactList'
  | 'startFrom'
  | 'fields'
  | 'json'
  | 'siemAuth'
  | 'configFile';

/** One row of the contract. `path` is the dotted config path the variable fills. */
export interface EnvVarSpec {
  readonly name: string;
  readonly path: string;
  readonly kind: EnvKind;
  /**
   * A credential: hidden in every output (routes' copies too), never quoted in an error, and on
   * AWS read from a Secrets Manager secret instead of the tenant file and the environment.
   */
  readonly secret?: true;
  /** Not secret, but kept in the secret beside its credential on AWS (the user name of a password). */
  readonly besideSecret?: true;
  /** Config paths its text fills beside `path` (the header name of SIEM_AUTH_HEADER's `Name: value`). */
  readonly alsoFills?: readonly string[];
  /** Only the local mode reads it; why the Lambda deployment refuses it. */
  readonly localOnly?: string;
}

const LOCAL_FILE = 'is not supported by the Lambda deployment (the functions cannot read a local file)';

/** Every environment variable the service reads. */
export const ENV_VARS: readonly EnvVarSpec[] = [
  { name: 'MPAS_BASE_URL', path: 'mpas.baseUrl', kind: 'text' },
  { name: 'MPAS_REALMS', path: 'mpas.realms', kind: 'list' },
  { name: 'MPAS_AUTH_REALM', path: 'mpas.authRealm', kind: 'text' },
  { name: 'MPAS_CLIENT_ID', path: 'mpas.credentials.clientId', kind: 'text' },
  { name: 'MPAS_CLIENT_SECRET', path: 'mpas.credentials.clientSecret', kind: 'secret', secret: true },
  { name: 'MPAS_USERNAME', path: 'mpas.credentials.username', kind: 'text', besideSecret: true },
  { name: 'MPAS_PASSWORD', path: 'mpas.credentials.password', kind: 'secret', secret: true },
  { name: 'MPAS_STREAMS', path: 'mpas.streams', kind: 'wordList' },
  { name: 'MPAS_START_FROM', path: 'mpas.startFrom', kind: 'startFrom' },
  { name: 'MPAS_PAGE_SIZE', path: 'mpas.pageSize', kind: 'int' },
  { name: 'MPAS_SETTLE_MS', path: 'mpas.settleMs', kind: 'int' },
  { name: 'MPAS_LOOKBACK_MS', path: 'mpas.lookbackMs', kind: 'int' },
  { name: 'MPAS_REQUEST_TIMEOUT_MS', path: 'mpas.requestTimeoutMs', kind: 'int' },
  { name: 'MPAS_CA_FILE', path: 'mpas.caFile', kind: 'text', localOnly: LOCAL_FILE },
  { name: 'MPAS_MAX_PAGE_BYTES', path: 'mpas.maxPageBytes', kind: 'int' },
  { name: 'SIEM_TYPE', path: 'siem.type', kind: 'word' },
  { name: 'SIEM_URL', path: 'siem.url', kind: 'text' },
  { name: 'SIEM_FORMAT', path: 'siem.format', kind: 'word' },
  { name: 'SIEM_BATCH', path: 'siem.batch', kind: 'word' },
  { name: 'SIEM_TOKEN', path: 'siem.auth.token', kind: 'siemAuth', secret: true },
  { name: 'SIEM_AUTH_HEADER', path: 'siem.auth.value', kind: 'siemAuth', secret: true, alsoFills: ['siem.auth.name'] },
  { name: 'SIEM_USERNAME', path: 'siem.auth.username', kind: 'siemAuth', besideSecret: true },
  { name: 'SIEM_PASSWORD', path: 'siem.auth.password', kind: 'siemAuth', secret: true },
  { name: 'SIEM_API_KEY', path: 'siem.auth.apiKey', kind: 'siemAuth', secret: true },
  { name: 'SIEM_CLIENT_SECRET', path: 'siem.auth.clientSecret', kind: 'siemAuth', secret: true },
  { name: 'SIEM_TIMEOUT_MS', path: 'siem.timeoutMs', kind: 'int' },
  { name: 'SIEM_CONCURRENCY', path: 'siem.concurrency', kind: 'int' },
  { name: 'SIEM_MAX_BATCH_EVENTS', path: 'siem.maxBatchEvents', kind: 'int' },
  { name: 'SIEM_MAX_BATCH_BYTES', path: 'siem.maxBatchBytes', kind: 'int' },
  { name: 'SIEM_ATTEMPTS', path: 'siem.attempts', kind: 'int' },
  { name: 'SIEM_GZIP', path: 'siem.gzip', kind: 'boolean' },
  { name: 'SIEM_CA_FILE', path: 'siem.caFile', kind: 'text', localOnly: LOCAL_FILE },
  { name: 'SPLUNK_INDEX', path: 'siem.splunk.index', kind: 'text' },
  { name: 'SPLUNK_SOURCE', path: 'siem.splunk.source', kind: 'text' },
  { name: 'SPLUNK_SOURCETYPE', path: 'siem.splunk.sourcetype', kind: 'text' },
  { name: 'SPLUNK_HOST', path: 'siem.splunk.host', kind: 'text' },
  { name: 'SPLUNK_USE_ACK', path: 'siem.splunk.useAck', kind: 'boolean' },
  { name: 'SPLUNK_ACK_TIMEOUT_MS', path: 'siem.splunk.ackTimeoutMs', kind: 'int' },
  { name: 'ELASTIC_INDEX', path: 'siem.elastic.index', kind: 'text' },
  { name: 'DATADOG_SOURCE', path: 'siem.datadog.source', kind: 'text' },
  { name: 'DATADOG_SERVICE', path: 'siem.datadog.service', kind: 'text' },
  { name: 'DATADOG_HOSTNAME', path: 'siem.datadog.hostname', kind: 'text' },
  { name: 'DATADOG_TAGS', path: 'siem.datadog.tags', kind: 'text' },
  { name: 'SUMO_CATEGORY', path: 'siem.sumo.category', kind: 'text' },
  { name: 'SUMO_SOURCE_NAME', path: 'siem.sumo.sourceName', kind: 'text' },
  { name: 'SUMO_HOST', path: 'siem.sumo.host', kind: 'text' },
  { name: 'SUMO_FIELDS', path: 'siem.sumo.fields', kind: 'text' },
  { name: 'SENTINEL_TENANT_ID', path: 'siem.sentinel.tenantId', kind: 'text' },
  { name: 'SENTINEL_CLIENT_ID', path: 'siem.sentinel.clientId', kind: 'text' },
  { name: 'SENTINEL_DCR_ID', path: 'siem.sentinel.dcrImmutableId', kind: 'text' },
  { name: 'SENTINEL_STREAM', path: 'siem.sentinel.streamName', kind: 'text' },
  { name: 'SENTINEL_AUTHORITY', path: 'siem.sentinel.authorityHost', kind: 'text' },
  { name: 'SYSLOG_FACILITY', path: 'siem.syslog.facility', kind: 'int' },
  { name: 'SYSLOG_HOSTNAME', path: 'siem.syslog.hostname', kind: 'text' },
  { name: 'SYSLOG_APP_NAME', path: 'siem.syslog.appName', kind: 'text' },
  { name: 'SYSLOG_RESEND_BYTES', path: 'siem.syslog.resendBytes', kind: 'int' },
  { name: 'EVENTBRIDGE_BUS', path: 'siem.eventbridge.bus', kind: 'text' },
  { name: 'EVENTBRIDGE_SOURCE', path: 'siem.eventbridge.source', kind: 'text' },
  { name: 'EVENTBRIDGE_USER_DETAIL_TYPE', path: 'siem.eventbridge.userDetailType', kind: 'text' },
  { name: 'EVENTBRIDGE_ADMIN_DETAIL_TYPE', path: 'siem.eventbridge.adminDetailType', kind: 'text' },
  { name: 'EVENTBRIDGE_RESOURCES', path: 'siem.eventbridge.resources', kind: 'list' },
  { name: 'EVENTBRIDGE_REGION', path: 'siem.eventbridge.region', kind: 'text' },
  { name: 'FIREHOSE_STREAM', path: 'siem.firehose.stream', kind: 'text' },
  { name: 'FIREHOSE_REGION', path: 'siem.firehose.region', kind: 'text' },
  { name: 'SECURITY_LAKE_BUCKET', path: 'siem.securityLake.bucket', kind: 'text' },
  { name: 'SECURITY_LAKE_REGION', path: 'siem.securityLake.region', kind: 'text' },
  { name: 'SECURITY_LAKE_ACCOUNT_ID', path: 'siem.securityLake.accountId', kind: 'text' },
  { name: 'SECURITY_LAKE_SOURCES', path: 'siem.securityLake.sources', kind: 'json' },
  { name: 'SECURITY_LAKE_KMS_KEY', path: 'siem.securityLake.kmsKeyArn', kind: 'text' },
  { name: 'SECURITY_LAKE_FILE_INTERVAL_MINUTES', path: 'siem.securityLake.fileIntervalMinutes', kind: 'int' },
  { name: 'SECURITY_LAKE_STAGING_BUCKET', path: 'siem.securityLake.stagingBucket', kind: 'text' },
  { name: 'SECURITY_LAKE_STAGING_PREFIX', path: 'siem.securityLake.stagingPrefix', kind: 'text' },
  { name: 'SECURITY_LAKE_STAGING_REGION', path: 'siem.securityLake.stagingRegion', kind: 'text' },
  { name: 'REDACT_MODE', path: 'redaction.mode', kind: 'word' },
  { name: 'REDACT_USER_FIELDS', path: 'redaction.userFields', kind: 'redactList' },
  { name: 'REDACT_ADMIN_FIELDS', path: 'redaction.adminFields', kind: 'redactList' },
  { name: 'REDACT_HASH_KEY', path: 'redaction.hashKey', kind: 'secret', secret: true },
  { name: 'FILTER', path: 'filter', kind: 'json' },
  { name: 'FIELDS', path: 'fields', kind: 'fields' },
  { name: 'TENANT', path: 'tenant', kind: 'text' },
  { name: 'POLL_INTERVAL_MS', path: 'polling.intervalMs', kind: 'int' },
  { name: 'LEASE_MS', path: 'polling.leaseMs', kind: 'int' },
  { name: 'QUEUE_MAX_MESSAGE_BYTES', path: 'polling.queueMaxMessageBytes', kind: 'int' },
  { name: 'STATE_DIR', path: 'stateDir', kind: 'text', localOnly: 'is for the local mode only: the Lambdas keep their cursor in DynamoDB' },
  { name: 'LOG_LEVEL', path: 'logLevel', kind: 'word' },
  { name: 'MPAS_LOG_SYNC_CONFIG', path: '', kind: 'configFile' },
];

/** True when the row travels in a Secrets Manager secret on AWS: a credential, or what goes with one. */
export function inSecret(spec: EnvVarSpec): boolean {
  return spec.secret === true || spec.besideSecret === true;
}

/** The variables a tenant's service settings become in a Lambda's environment: no secret, nothing local. */
export function carriedToLambdas(spec: EnvVarSpec): boolean {
  return !inSecret(spec) && spec.localOnly === undefined && spec.kind !== 'configFile';
}

/** Config paths filled by more than one variable, or by none directly. */
const GROUP_NAMES: Readonly<Record<string, string>> = {
  'mpas.credentials': 'MPAS_USERNAME or MPAS_CLIENT_SECRET',
  'mpas.credentials.grant': 'MPAS_USERNAME or MPAS_CLIENT_SECRET',
  'siem.auth': 'SIEM_TOKEN, SIEM_AUTH_HEADER or SIEM_USERNAME and SIEM_PASSWORD',
  'siem.auth.name': 'SIEM_AUTH_HEADER',
};

/**
 * The part of the config a row's secret replaces whole: its group (`mpas.credentials`,
 * `siem.auth`: the credential and what goes with it come from one secret) or the setting itself
 * (`redaction.hashKey`).
 */
export function filledBySecret(spec: EnvVarSpec): string {
  const holder = spec.path.slice(0, Math.max(0, spec.path.lastIndexOf('.')));
  return GROUP_NAMES[holder] === undefined ? spec.path : holder;
}

/**
 * The variable that would set a config path (or its nearest parent that one sets), to name
 * a setting that is missing altogether. Undefined when no variable sets it.
 */
export function envNameForPath(path: string): string | undefined {
  for (let current = path; current !== ''; current = current.slice(0, Math.max(0, current.lastIndexOf('.')))) {
    const group = GROUP_NAMES[current];
    if (group !== undefined) return group;
    const spec = ENV_VARS.find((candidate) => candidate.path === current);
    if (spec !== undefined) return spec.name;
  }
  return undefined;
}
