import { z } from 'zod';
import { booleanValue, errorFor, filePath, httpUrl, intIn, isPlainObject, oneOf, secret, text, unionErrorFor } from './config-values.js';

const objectError = { error: errorFor('must be a JSON object') };

/** How the sink proves itself to the SIEM. Every variant but `none` holds a secret. */
export const siemAuthSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('bearer'), token: secret() }),
      z.strictObject({
        kind: z.literal('header'),
        name: text('must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)').regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, {
          error: 'must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)',
        }),
        // A line break in a header value would let the value inject further headers.
        value: secret().regex(/^[^\r\n]*$/, { error: 'must not contain line breaks' }),
      }),
      z.strictObject({
        kind: z.literal('basic'),
        // RFC 7617: the user-id of Basic authentication cannot contain a colon.
        username: text().regex(/^[^:]*$/, { error: 'must not contain ":"' }),
        password: secret(),
      }),
    ],
    { error: unionErrorFor('must be one of none, bearer, header, basic') },
  )
  .default({ kind: 'none' });
export type SiemAuth = z.infer<typeof siemAuthSchema>;

/**
 * The settings every SIEM type shares (Vector's `batch`, `request` and `encoding` blocks,
 * flattened). A new SIEM type spreads these into its own variant and adds its own fields.
 */
export const siemCommonShape = {
  url: httpUrl(),
  format: oneOf(['json', 'cef']).default('json'),
  // The original product posts one event per request.
  batch: oneOf(['single', 'array', 'ndjson']).default('single'),
  auth: siemAuthSchema,
  timeoutMs: intIn(1, 600_000).default(10_000),
  concurrency: intIn(1, 256).default(4),
  maxBatchEvents: intIn(1, 100_000).default(500),
  maxBatchBytes: intIn(1024, 104_857_600).default(1_000_000),
  attempts: intIn(1, 20).default(3),
  gzip: booleanValue.default(false),
  caFile: filePath.optional(),
};

/** A generic HTTPS endpoint that accepts POSTed JSON or CEF (the original product's only sink). */
export const httpsSiemSchema = z.strictObject({ type: z.literal('https'), ...siemCommonShape }, objectError);

/** HEC takes its token alone: `Authorization: Splunk <token>` (SIEM_TOKEN). */
const hecTokenSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('bearer'), token: secret() })], {
  error: unionErrorFor('must be the HEC token alone: SIEM_TOKEN, or {"kind": "bearer", "token": "..."} in the file'),
});

/** Splunk HTTP Event Collector: `url` is the HEC base URL (`https://splunk.example.com:8088`). */
export const splunkHecSiemSchema = z.strictObject(
  {
    type: z.literal('splunk-hec'),
    ...siemCommonShape,
    auth: hecTokenSchema,
    splunk: z
      .strictObject(
        {
          /** Absent: the token's default index. */
          index: text().optional(),
          source: text().default('mpas-log-sync'),
          /** Absent: `mpas:event` for JSON, `cef` for CEF. */
          sourcetype: text().optional(),
          /** Absent: HEC records the sender's address. */
          host: text().optional(),
          /** Indexer acknowledgement: a request counts once HEC confirms it. */
          useAck: booleanValue.default(false),
          ackTimeoutMs: intIn(1_000, 600_000).default(60_000),
        },
        objectError,
      )
      // prefault, not default: an absent block is parsed as {} so its own defaults apply.
      .prefault({}),
  },
  objectError,
);

/** Elasticsearch / OpenSearch take an API key (SIEM_API_KEY), basic credentials, or none (security off). */
const elasticAuthSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      // The encoded key as Kibana shows it, or id:api_key; one word either way.
      z.strictObject({ kind: z.literal('apiKey'), apiKey: secret().regex(/^\S+$/, { error: 'must be one word: the encoded key, or id:api_key' }) }),
      z.strictObject({ kind: z.literal('basic'), username: text().regex(/^[^:]*$/, { error: 'must not contain ":"' }), password: secret() }),
    ],
    { error: unionErrorFor('must be one of none, apiKey, basic: SIEM_API_KEY, or SIEM_USERNAME and SIEM_PASSWORD') },
  )
  .default({ kind: 'none' });

/** Elasticsearch's rules for index and data stream names. */
const elasticIndexName = text()
  .regex(/^(?![-_+])[^A-Z\\/*?"<>| ,#:]{1,255}$/, { error: 'must be an index or data stream name: lowercase, no spaces or \\/*?"<>|,#:, not starting with -, _ or +' })
  .refine((name) => name !== '.' && name !== '..', { error: 'must not be . or ..' });

/** Elasticsearch or OpenSearch `_bulk`: `url` is the cluster's base URL (`https://es.example.com:9200`). */
export const elasticSiemSchema = z.strictObject(
  {
    type: z.literal('elastic'),
    ...siemCommonShape,
    auth: elasticAuthSchema,
    elastic: z
      .strictObject(
        {
          /** A data stream of the built-in `logs-*-*` template by default. */
          index: elasticIndexName.default('logs-mpas-default'),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** Datadog takes its API key alone (SIEM_API_KEY), sent as `DD-API-KEY`. */
const datadogKeySchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('apiKey'), apiKey: secret().regex(/^\S+$/, { error: 'must be one word' }) })], {
  error: unionErrorFor('must be the Datadog API key alone: SIEM_API_KEY, or {"kind": "apiKey", "apiKey": "..."} in the file'),
});

/** Datadog Logs: `url` is the site's HTTP intake (`https://http-intake.logs.datadoghq.eu`). */
export const datadogSiemSchema = z.strictObject(
  {
    type: z.literal('datadog'),
    ...siemCommonShape,
    auth: datadogKeySchema,
    datadog: z
      .strictObject(
        {
          /** `ddsource`: which log pipeline parses the events. */
          source: text().default('mpas'),
          service: text().default('mpas-log-sync'),
          hostname: text().optional(),
          /** `ddtags`: comma-separated `key:value` tags. */
          tags: text().optional(),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** Sumo Logic: `url` is the collection endpoint, the token (SIEM_TOKEN) the source URL's last part. */
export const sumoLogicSiemSchema = z.strictObject(
  {
    type: z.literal('sumo-logic'),
    ...siemCommonShape,
    // The source URL as Sumo shows it ends in the token; kept in the URL it would be printed and
    // deployed as a plain setting, so it is refused and the token goes to SIEM_TOKEN, a secret.
    url: siemCommonShape.url.refine((value) => !/\/receiver\/v1\/http\/[^/?#]/i.test(value), {
      error: 'holds the source\'s token (the part after /receiver/v1/http/): set the URL up to that part and the token in SIEM_TOKEN',
    }),
    auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('bearer'), token: secret().regex(/^[^/?#\s]+$/, { error: 'must be the last part of the source URL alone' }) })], {
      error: unionErrorFor('must be the HTTP Source token alone: SIEM_TOKEN, or {"kind": "bearer", "token": "..."} in the file'),
    }),
    sumo: z
      .strictObject(
        {
          category: text().optional(),
          sourceName: text().optional(),
          host: text().optional(),
          /** `X-Sumo-Fields`: `key=value` pairs, comma-separated. */
          fields: text()
            .regex(/^[A-Za-z0-9_.-]+=[^,=\r\n]*(,[A-Za-z0-9_.-]+=[^,=\r\n]*)*$/, { error: 'must be key=value pairs separated by commas, such as tenant=acme,env=prod' })
            .optional(),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** A GUID, the form of Entra ID's tenant and application ids. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Microsoft Sentinel through the Logs Ingestion API: `url` is the data collection endpoint (or
 * the DCR's own logs ingestion endpoint); an Entra ID app registration's client secret
 * (SIEM_CLIENT_SECRET) buys the tokens.
 */
export const sentinelSiemSchema = z.strictObject(
  {
    type: z.literal('sentinel'),
    ...siemCommonShape,
    auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('clientSecret'), clientSecret: secret() })], {
      error: unionErrorFor('must be the app registration\'s client secret alone: SIEM_CLIENT_SECRET, or {"kind": "clientSecret", "clientSecret": "..."} in the file'),
    }),
    sentinel: z
      .strictObject(
        {
          tenantId: text().refine((value) => GUID.test(value) || /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i.test(value), {
            error: 'must be the directory (tenant) id, a GUID, or a domain such as contoso.onmicrosoft.com',
          }),
          clientId: text().regex(GUID, { error: 'must be the application (client) id, a GUID' }),
          dcrImmutableId: text().regex(/^dcr-[0-9a-f]{32}$/i, { error: 'must be the DCR immutable id: dcr- and 32 hexadecimal digits' }),
          streamName: text()
            .regex(/^(Custom|Microsoft)-[A-Za-z0-9_]+$/, { error: 'must be a DCR stream name such as Custom-MpasEvents_CL' })
            .default('Custom-MpasEvents_CL'),
          /** Entra ID's authority; a sovereign cloud's, or the local receiver in tests. */
          authorityHost: httpUrl().default('https://login.microsoftonline.com'),
        },
        objectError,
      )
      // An absent block is parsed as {}, so each missing id is reported under its own variable.
      .prefault({} as { tenantId: string; clientId: string; dcrImmutableId: string }),
  },
  objectError,
);

/** `syslog+tls://host:port`, the scheme RFC 5425's port 6514 speaks; nothing else in it. */
const syslogUrl = z.string({ error: errorFor('must be syslog+tls://host:port') }).refine(
  (value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return url.protocol === 'syslog+tls:' && url.hostname !== '' && url.username === '' && url.password === '' && (url.pathname === '' || url.pathname === '/') && url.search === '';
  },
  { error: 'must be syslog+tls://host:port (syslog over TLS, RFC 5425), with no user, path or query' },
);

/** An RFC 5424 header field: printable US-ASCII, no spaces, at most `max` characters. */
const syslogField = (max: number) => text().regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), { error: `must be 1 to ${max} printable ASCII characters without spaces` });

/** Syslog over TLS for QRadar, ArcSight and FortiSIEM: no credentials, the server proven by its certificate. */
export const syslogSiemSchema = z.strictObject(
  {
    type: z.literal('syslog'),
    ...siemCommonShape,
    url: syslogUrl,
    // The three SIEMs it serves parse CEF out of the box.
    format: oneOf(['json', 'cef']).default('cef'),
    auth: z
      .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('none') })], {
        error: unionErrorFor('must be none: syslog over TLS takes no credentials, the server is checked by its certificate (SIEM_CA_FILE)'),
      })
      .default({ kind: 'none' }),
    syslog: z
      .strictObject(
        {
          /** 10 (authpriv): see DEFAULT_SYSLOG_FACILITY. */
          facility: intIn(0, 23).default(10),
          /** Absent: the machine's host name. */
          hostname: syslogField(255).optional(),
          appName: syslogField(48).default('mpas-log-sync'),
          /** Latest bytes written that go again after a dropped connection. */
          resendBytes: intIn(0, 104_857_600).default(1_048_576),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** The SIEM types this build knows, as the list the error message quotes. */
export const SIEM_TYPES = ['https', 'splunk-hec', 'elastic', 'datadog', 'sumo-logic', 'sentinel', 'syslog'] as const;

/** `type` defaults to `https`, the only type the original product had. */
function defaultType(value: unknown): unknown {
  return isPlainObject(value) && value['type'] === undefined ? { ...value, type: 'https' } : value;
}

/** The SIEM destination: one variant per SIEM type, chosen by `type`. */
export const siemConfigSchema = z.preprocess(
  defaultType,
  z.discriminatedUnion('type', [httpsSiemSchema, splunkHecSiemSchema, elasticSiemSchema, datadogSiemSchema, sumoLogicSiemSchema, sentinelSiemSchema, syslogSiemSchema], { error: unionErrorFor(`must be one of ${SIEM_TYPES.join(', ')}`) }),
);
export type SiemConfig = z.infer<typeof siemConfigSchema>;
