import { caFileProblems } from './ca-file-problems.js';
import type { PathProblem } from './ca-file-problems.js';
import { isPlainObject } from './config-values.js';
import { loadLayers } from './load-layers.js';
import type { LoadConfigOptions } from './load-layers.js';
import { pollerConfigSchema } from './poller-config-schema.js';
import { mayQuoteIn, secretMapOf } from './secret-map.js';
import type { PollerConfig } from './poller-config-schema.js';

const POLLER_SECTIONS: ReadonlySet<string> = new Set(Object.keys(pollerConfigSchema.shape));

/**
 * The poller Lambda's half of `loadConfig` (load-config.ts): MPAS, the lease and the queue limit. The
 * variables of the other sections (SIEM_*, REDACT_*, ...) are not read, so the poller loads
 * without the SIEM and its secret.
 */
export function loadPollerConfig(options: LoadConfigOptions = {}): PollerConfig {
  return loadLayers({ schema: pollerConfigSchema, sections: POLLER_SECTIONS, checks: mpasCaFileProblems, mayQuote: mayQuotePoller }, options);
}

/**
 * What pipeline-checks.ts finds in the poller's sections: the MPAS CA file. Its own function, so
 * that the poller Lambda loads none of the SIEM side's checks (filters, redaction, sinks).
 */
function mpasCaFileProblems(input: Record<string, unknown>): PathProblem[] {
  const mpas = input['mpas'];
  return caFileProblems(isPlainObject(mpas) ? mpas['caFile'] : undefined, ['mpas', 'caFile']);
}

/**
 * config-secrets.ts's `mayQuote` for the poller's sections, read from their own schema: the same
 * secrets (a test holds the two equal there), without loading the SIEM side's schemas.
 */
export function mayQuotePoller(path: readonly PropertyKey[]): boolean {
  return mayQuoteIn(secretMapOf(pollerConfigSchema, new Set()), path);
}
