import { z } from 'zod';
import { booleanValue, errorFor, filePath, httpUrl, intIn, oneOf, secret, text, unionErrorFor } from '../config/config-values.js';
import type { ProtocolSinkOptions } from './protocol-sink-options.js';

/** The error of a block that is not a JSON object (every SIEM type's own block, and `siem` itself). */
export const objectError = { error: errorFor('must be a JSON object') };

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


/** The shared settings as every sink takes them (the `batch` and `request` blocks), without the type's own. */
export function sharedSinkOptions(config: ProtocolSinkOptions): ProtocolSinkOptions {
  const { url, format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, gzip, caFile } = config;
  return { url, format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, gzip, caFile };
}
