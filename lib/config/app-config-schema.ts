import * as z from 'zod';
import { archiveConfigSchema } from './archive-config-schema.js';
import { booleanValue, dottedPath, errorFor, isPlainObject, oneOf, secret, text } from './config-values.js';
import { pollerConfigShape } from './poller-config-schema.js';
import { siemConfigSchema } from './siem-config-schema.js';

// The poller's sections live in poller-config-schema.ts, which the poller Lambda loads without the SIEM's.
export { pollerConfigSchema, pollingConfigSchema } from './poller-config-schema.js';
export type { PollerConfig, PollingConfig } from './poller-config-schema.js';

const objectError = { error: errorFor('must be a JSON object') };
const fieldListError = errorFor('must be a list of dotted field paths such as details.username');

/** Seed 000's masks: the IP address and username of user events, the IP and request body of admin events. */
export const DEFAULT_USER_REDACTED_FIELDS = ['ipAddress', 'details.username'] as const;
/** See {@link DEFAULT_USER_REDACTED_FIELDS}. */
export const DEFAULT_ADMIN_REDACTED_FIELDS = ['authDetails.ipAddress', 'representation'] as const;

/** The smallest hash key: an HMAC key much shorter than this is open to guessing. */
export const MIN_HASH_KEY_LENGTH = 16;

/** Which fields the forwarder redacts, per stream, and how. An empty list redacts nothing. */
export const redactionConfigSchema = z
  .strictObject(
    {
      mode: oneOf(['mask', 'remove', 'hash']).default('mask'),
      userFields: z.array(dottedPath, { error: fieldListError }).default([...DEFAULT_USER_REDACTED_FIELDS]),
      adminFields: z.array(dottedPath, { error: fieldListError }).default([...DEFAULT_ADMIN_REDACTED_FIELDS]),
      hashKey: secret(MIN_HASH_KEY_LENGTH).optional(),
    },
    objectError,
  )
  .refine((redaction) => redaction.mode !== 'hash' || redaction.hashKey !== undefined, {
    path: ['hashKey'],
    error: `is required when the redaction mode is hash (a random string of at least ${MIN_HASH_KEY_LENGTH} characters)`,
    // Run even when a sibling is wrong, so one start-up reports both problems.
    when: (payload) => isPlainObject(payload.value),
  });
export type RedactionConfig = z.infer<typeof redactionConfigSchema>;

/** `'*'` (every field) or the dotted paths of the fields sent (PAS 6.0's `paramColumns`). */
const fieldsError = errorFor('must be "*" or a non-empty list of dotted field paths such as details.username');
export const fieldsSchema = z.union(
  [z.literal('*', { error: fieldsError }), z.array(dottedPath, { error: fieldsError }).min(1, { error: fieldsError })],
  { error: fieldsError },
);

/** The name of the route that `siem`, `filter`, `fields` and `redaction` make up. */
export const DEFAULT_ROUTE_NAME = 'default';

const routeNameError = 'must be 1 to 40 lowercase letters, digits or dashes';

/**
 * One destination (a route): its own SIEM (with its format), filter, field selection and
 * redaction. A route without `redaction` uses the top-level one.
 */
export const routeConfigSchema = z.strictObject(
  {
    name: text(routeNameError).regex(/^[a-z0-9-]{1,40}$/, { error: routeNameError }),
    siem: siemConfigSchema,
    redaction: redactionConfigSchema.optional(),
    filter: z.record(z.string(), z.unknown(), objectError).optional(),
    fields: fieldsSchema.optional(),
  },
  objectError,
);
export type RouteConfig = z.infer<typeof routeConfigSchema>;

const routesSchema = z
  .array(routeConfigSchema, { error: errorFor('must be a list of routes ({"name", "siem", ...})') })
  .min(1, { error: 'must name at least one route' })
  .superRefine((routes, context) => {
    const seen = new Set<string>();
    routes.forEach((route, index) => {
      if (seen.has(route.name)) context.addIssue({ code: 'custom', path: [index, 'name'], message: `"${route.name}" names two routes` });
      seen.add(route.name);
    });
  });

/**
 * With `routes` and no `siem`, the routes are the only destinations: `siem` takes the first
 * route's (for code that knows one SIEM) and `defaultRoute` is false. With both, `siem` is one
 * more destination, the route named `default`.
 */
function routesWithoutSiem(value: unknown): unknown {
  if (!isPlainObject(value) || value['siem'] !== undefined || !Array.isArray(value['routes'])) return value;
  const first: unknown = value['routes'][0];
  if (!isPlainObject(first) || first['siem'] === undefined) return value;
  return { ...value, siem: first['siem'], defaultRoute: value['defaultRoute'] ?? false };
}

/** Each setting of one tenant's service, section by section: {@link appConfigSchema} and the two halves of it. */
const appConfigShape = {
  tenant: pollerConfigShape.tenant,
  // A missing section is parsed as {} so each of its missing settings is reported by name.
  mpas: pollerConfigShape.mpas,
  siem: siemConfigSchema.prefault({}),
  redaction: redactionConfigSchema.prefault({}),
  // The filter language is checked where it is compiled (lib/core/pipeline); here only its outer shape.
  filter: z.record(z.string(), z.unknown(), objectError).optional(),
  fields: fieldsSchema.default('*'),
  polling: pollerConfigShape.polling,
  stateDir: text('must be a directory path').default('.state'),
  logLevel: pollerConfigShape.logLevel,
  // More destinations (routes.ts); absent: `siem` is the one destination.
  routes: routesSchema.optional(),
  // Whether `siem` (with `filter`, `fields`, `redaction`) is a destination; absent means true.
  defaultRoute: booleanValue.optional(),
  archive: archiveConfigSchema.optional(),
};

/**
 * Every setting of one tenant's service. The JSON config file has exactly this shape; the
 * environment variables of `env-settings.ts` fill the same shape and win over the file. The
 * local runner runs both halves with it.
 */
export const appConfigSchema = z.preprocess(routesWithoutSiem, z.strictObject(appConfigShape, objectError));

const { tenant, logLevel, siem, redaction, filter, fields, routes, defaultRoute, archive } = appConfigShape;

/**
 * What the forwarder Lambda reads: its destinations, each with its SIEM, filter, fields and
 * redaction (`hash` with its key), and the archive. No MPAS: the forwarder never calls it, and
 * is not given the MPAS secret.
 */
export const forwarderConfigSchema = z.preprocess(
  routesWithoutSiem,
  z.strictObject({ tenant, siem, redaction, filter, fields, routes, defaultRoute, archive, logLevel }, objectError),
);
/** The forwarder Lambda's validated configuration. */
export type ForwarderConfig = z.infer<typeof forwarderConfigSchema>;

/** The validated configuration. */
export type AppConfig = z.infer<typeof appConfigSchema>;

/** What may be written in the config file (or passed as defaults): the same shape, before defaults. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
