import * as z from 'zod';
import { errorFor, intIn, oneOf, text } from './config-values.js';
import { mpasConfigSchema } from './mpas-config-schema.js';

/**
 * The poller's sections of the configuration: the tenant, MPAS, the poll schedule and the log
 * level. Apart from app-config-schema.ts, which adds the SIEM's, because the poller Lambda loads
 * these alone and a cold start compiles every module it imports (bench/cold-start.bench.ts): the
 * SIEM types' schemas and formats are no part of it.
 */

const objectError = { error: errorFor('must be a JSON object') };

/** The poll schedule, the cursor lease and the queue's message limit. */
export const pollingConfigSchema = z.strictObject(
  {
    // The pause between two polls: of `run`, and of the Lambda between its scheduled runs while
    // events flow (lib/aws/read-while-events-flow.ts).
    intervalMs: intIn(1000, 86_400_000).default(5_000),
    leaseMs: intIn(1000, 3_600_000).default(120_000),
    // SQS refuses messages above 1 MiB (and only allows that much when the queue says so).
    queueMaxMessageBytes: intIn(1024, 1_048_576).default(1_048_576),
  },
  objectError,
);
export type PollingConfig = z.infer<typeof pollingConfigSchema>;

/** The sections the poller reads, shared with the whole configuration (app-config-schema.ts). */
export const pollerConfigShape = {
  tenant: text('must be 1 to 40 lowercase letters, digits or dashes')
    .regex(/^[a-z0-9-]{1,40}$/, { error: 'must be 1 to 40 lowercase letters, digits or dashes' })
    .default('default'),
  // A missing section is parsed as {} so each of its missing settings is reported by name.
  mpas: mpasConfigSchema.prefault({} as z.input<typeof mpasConfigSchema>),
  polling: pollingConfigSchema.prefault({}),
  logLevel: oneOf(['debug', 'info', 'warn', 'error']).default('info'),
};

/**
 * What the poller Lambda reads: MPAS (with its credentials), the cursor lease and the queue's
 * message limit. No SIEM: the poller only enqueues, and is not given the SIEM secret.
 */
export const pollerConfigSchema = z.strictObject(pollerConfigShape, objectError);
/** The poller Lambda's validated configuration (the verifier's too: it reads MPAS alone). */
export type PollerConfig = z.infer<typeof pollerConfigSchema>;
