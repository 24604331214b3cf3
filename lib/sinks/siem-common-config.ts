import * as z from 'zod';
import { booleanValue, errorFor, filePath, httpUrl, intIn, oneOf, secret, text, unionErrorFor } from '../config/config-values.js';
import { FORMAT_NAMES } from '../core/formats/format-registry.js';
import type { ProtocolSinkOptions } from './protocol-sink-options.js';

/** The error of a block that is not a JSON object (every SIEM type's own block, and `siem` itself). */
export const objectError = { error: errorFor('must be a JSON object') };

/** Hosts plain http may go to: the local demo, tests and receivers, never a network. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An https URL, or an http one to a loopback host; true for text that is no URL (httpUrl says that). */
function httpsOrLoopback(value: string): boolean {
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol !== 'http:' || LOOPBACK_HOSTS.has(url.hostname);
}

/** An absolute URL without user info (see httpUrl) that takes `https`, or `http` to a loopback host only. */
export function httpsUrl(error = 'must use https (http is allowed to a loopback host only)'): z.ZodString {
  return httpUrl().refine(httpsOrLoopback, { error });
}

/** A text sent in a header or a field of every event: one line, not blank. */
export function oneLineText(): z.ZodString {
  const error = 'must be a non-empty single line';
  return z.string({ error: errorFor(error) }).refine((value) => value.trim() !== '' && !/[\r\n]/.test(value), { error });
}

/** A credential of one line: sent in a header, a line break would let it inject further headers. */
export function oneLineSecret(): z.ZodString {
  return secret().regex(/^[^\r\n]*$/, { error: 'must not contain line breaks' });
}

// Headers the sink sets itself; an auth header with one of these names would corrupt requests.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'host', 'transfer-encoding', 'connection']);
const HEADER_NAME_ERROR = 'must be an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)';

/** How the sink proves itself to the SIEM. Every variant but `none` holds a secret. */
export const siemAuthSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('bearer'), token: oneLineSecret() }),
      z.strictObject({
        kind: z.literal('header'),
        name: text(HEADER_NAME_ERROR)
          .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { error: HEADER_NAME_ERROR })
          .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), { error: 'names a header the sink sets itself (content-type, content-length, content-encoding, host, transfer-encoding, connection)' }),
        value: oneLineSecret(),
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
  url: httpsUrl(),
  format: oneOf(FORMAT_NAMES).default('json'),
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

/** The shared settings as every sink takes them (the `batch` and `request` blocks), without the type's own. */
export function sharedSinkOptions(config: ProtocolSinkOptions): ProtocolSinkOptions {
  const { url, format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, gzip, caFile } = config;
  return { url, format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, gzip, caFile };
}
