import { appConfigSchema, forwarderConfigSchema } from './app-config-schema.js';
import type { AppConfig, ForwarderConfig } from './app-config-schema.js';
import { mayQuote } from './config-secrets.js';
import { appConfigWithoutSecretsSchema } from './config-without-secrets.js';
import { loadLayers } from './load-layers.js';
import type { LoadConfigOptions } from './load-layers.js';
import { pipelineProblems } from './pipeline-checks.js';

export type { ConfigLayer, LoadConfigOptions } from './load-layers.js';
export { loadPollerConfig } from './load-poller-config.js';

/**
 * Loads and validates the configuration: the caller's defaults, then the JSON file, then the
 * environment, each winning over the one before. Besides the schema, it builds what `run` builds
 * from the configuration before touching anything (filters, field selections, redaction, sinks,
 * CA files: see pipeline-checks.ts), so `check`, `run` and the Lambdas refuse the same
 * configurations, before any lock or file. Throws a {@link ConfigError} that lists every problem
 * at once, each under the name of the variable or file path it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  return loadLayers({ schema: appConfigSchema, checks: pipelineProblems, mayQuote }, options);
}

/**
 * {@link loadConfig} for settings given without the values Secrets Manager gives the Lambdas
 * (config-without-secrets.ts): infra reads the functions' environment back with it when it
 * synthesizes, where no secret is at hand. What it returns lacks those values.
 */
export function loadConfigWithoutSecrets(options: LoadConfigOptions = {}): AppConfig {
  return loadLayers({ schema: appConfigWithoutSecretsSchema(), checks: pipelineProblems, mayQuote }, options);
}

const FORWARDER_SECTIONS: ReadonlySet<string> = new Set(Object.keys(forwarderConfigSchema.out.shape));

/** The forwarder Lambda's half of {@link loadConfig}: destinations, redaction and archive; MPAS_* is not read. */
export function loadForwarderConfig(options: LoadConfigOptions = {}): ForwarderConfig {
  return loadLayers({ schema: forwarderConfigSchema, sections: FORWARDER_SECTIONS, checks: pipelineProblems, mayQuote }, options);
}

