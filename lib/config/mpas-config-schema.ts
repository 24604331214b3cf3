import * as z from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from '../sources/mpas/page-limits.js';
import { DATE_FORMS, parseDateText } from './date-text.js';
import { errorFor, filePath, httpUrl, intIn, isPlainObject, oneOf, secret, text, uniqueList } from './config-values.js';

const GRANT_HINT =
  'set username and password (MPAS_USERNAME, MPAS_PASSWORD) for the password grant, ' +
  'or clientId and clientSecret (MPAS_CLIENT_ID, MPAS_CLIENT_SECRET) for the client_credentials grant';

/** The documented set-up: the "mpas-log-sync" user with the `view-events` role, through `admin-cli`. */
const passwordGrantSchema = z.strictObject({
  grant: z.literal('password'),
  clientId: text().default('admin-cli'),
  // Only for a confidential client; admin-cli is public and needs none.
  clientSecret: secret().optional(),
  username: text(),
  password: secret(),
});

const notForClientCredentials = z
  .never({ error: 'belongs to the password grant, which also needs the username (MPAS_USERNAME)' })
  .optional();

const clientIdError = (issue: { readonly input?: unknown }): string =>
  issue.input === undefined
    ? 'is required for the client_credentials grant (admin-cli, the default client, cannot use it)'
    : 'must be a non-empty string';

/** A confidential client with a service account holding `view-events`. */
const clientCredentialsGrantSchema = z.strictObject({
  grant: z.literal('client_credentials'),
  // No admin-cli default here: admin-cli is a public client and cannot use this grant.
  clientId: z
    .string({ error: clientIdError })
    .min(1, { error: clientIdError }),
  clientSecret: secret(),
  username: notForClientCredentials,
  password: notForClientCredentials,
});

/**
 * The environment gives credentials without a grant, so the grant is read from what is there:
 * a username means the password grant, else a client secret means client_credentials.
 */
function inferGrant(value: unknown): unknown {
  if (!isPlainObject(value) || value['grant'] !== undefined) return value;
  if (value['username'] !== undefined) return { ...value, grant: 'password' };
  if (value['clientSecret'] !== undefined) return { ...value, grant: 'client_credentials' };
  return value;
}

/** How the service gets its token from `{baseUrl}/realms/{authRealm}/protocol/openid-connect/token`. */
export const mpasCredentialsSchema = z.preprocess(
  inferGrant,
  z.discriminatedUnion('grant', [passwordGrantSchema, clientCredentialsGrantSchema], {
    // Typed for its documented issue, but a non-object input arrives here as `invalid_type`.
    error: (issue: { readonly code?: string; readonly input?: unknown }) => {
      if (issue.input === undefined) return `is required: ${GRANT_HINT}`;
      if (issue.code === 'invalid_type') return 'must be a JSON object';
      const grant = isPlainObject(issue.input) ? issue.input['grant'] : undefined;
      return grant === undefined ? `names no grant: ${GRANT_HINT}` : 'must be password or client_credentials';
    },
  }),
);
export type MpasCredentials = z.infer<typeof mpasCredentialsSchema>;

const startFromError = errorFor(`must be "now", ${DATE_FORMS}`);

/**
 * Where a stream without a stored cursor starts. Text is read as `--from` reads it (the
 * environment can only give text) and becomes epoch milliseconds, so the parsed value is
 * `'now' | number`.
 */
export const startFromSchema = z.union(
  [
    z.literal('now', { error: startFromError }),
    z.number({ error: startFromError }).int({ error: startFromError }).min(0, { error: startFromError }),
    z
      .string({ error: startFromError })
      .refine((text) => parseDateText(text) !== undefined, { error: startFromError })
      .transform((text) => parseDateText(text) as number),
  ],
  { error: startFromError },
);

/** The MPAS (Keycloak) source: where it is, which realms and streams, how to read it. */
export const mpasConfigSchema = z
  .strictObject(
    {
      baseUrl: httpUrl().transform((url) => url.replace(/\/+$/, '')),
      realms: uniqueList(text('must be a realm name (not empty)'), 'realms'),
      authRealm: text('must be a realm name (not empty)').optional(),
      credentials: mpasCredentialsSchema,
      streams: uniqueList(oneOf(['user', 'admin']), 'streams').default(['user', 'admin']),
      startFrom: startFromSchema.default('now'),
      pageSize: intIn(1, 5000).default(1000),
      // Keycloak writes an event when its transaction commits, after the `time` it carries.
      settleMs: intIn(0, 600_000).default(5000),
      // Keycloak's transaction timeout (300 s, its quarkus default-transaction-timeout) plus a
      // minute for clocks apart: how late a commit the look-back still delivers. 0 turns it off.
      lookbackMs: intIn(0, 86_400_000).default(360_000),
      requestTimeoutMs: intIn(1, 600_000).default(10_000),
      // 32 MiB (DEFAULT_MAX_BODY_BYTES, why in lib/sources/mpas/page-limits.ts); at least 64 KiB, at most 1 GiB.
      maxPageBytes: intIn(65_536, 1_073_741_824).default(DEFAULT_MAX_BODY_BYTES),
      caFile: filePath.optional(),
    },
    { error: errorFor('must be a JSON object') },
  )
  .transform((mpas) => ({ ...mpas, authRealm: mpas.authRealm ?? (mpas.realms[0] as string) }));
export type MpasConfig = z.infer<typeof mpasConfigSchema>;
