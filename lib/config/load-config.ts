import type { z } from 'zod';
import { appConfigSchema, forwarderConfigSchema, pollerConfigSchema } from './app-config-schema.js';
import type { AppConfig, AppConfigInput, ForwarderConfig, PollerConfig } from './app-config-schema.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { appConfigWithoutSecretsSchema } from './config-without-secrets.js';
import { problemsFromIssues, settingName } from './config-problems.js';
import type { ProblemContext } from './config-problems.js';
import { readEnvSettings } from './env-settings.js';
import type { Environment } from './env-settings.js';
import { isPlainObject } from './config-values.js';
import { pipelineProblems } from './pipeline-checks.js';
import type { ConfigPath } from './pipeline-checks.js';
import { readConfigFile } from './read-config-file.js';

/** Some of the config file's shape: any part may be left out. */
export type ConfigLayer = DeepPartial<AppConfigInput>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Where {@link loadConfig} reads from. */
export interface LoadConfigOptions {
  /** The environment variables. @default process.env */
  readonly env?: Environment;
  /** The JSON config file (the `--config` option). @default the MPAS_LOG_SYNC_CONFIG variable, else no file */
  readonly configFile?: string;
  /** The caller's own defaults, below the file (the local runner polls more often than the service). */
  readonly defaults?: ConfigLayer;
}

/**
 * Parts that the environment replaces whole instead of merging into: a bearer token from the
 * environment must not be combined with the header name of a header auth in the file, and a
 * filter is one expression, not a set of keys.
 */
const REPLACED_WHOLE = new Set(['siem.auth', 'filter']);

/**
 * Loads and validates the configuration: the caller's defaults, then the JSON file, then the
 * environment, each winning over the one before. Besides the schema, it builds what `run` builds
 * from the configuration before touching anything (filters, field selections, redaction, sinks,
 * CA files: see pipeline-checks.ts), so `check`, `run` and the Lambdas refuse the same
 * configurations, before any lock or file. Throws a {@link ConfigError} that lists every problem
 * at once, each under the name of the variable or file path it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  return loadWith(appConfigSchema, undefined, options);
}

/**
 * {@link loadConfig} for settings given without the values Secrets Manager gives the Lambdas
 * (config-without-secrets.ts): infra reads the functions' environment back with it when it
 * synthesizes, where no secret is at hand. What it returns lacks those values.
 */
export function loadConfigWithoutSecrets(options: LoadConfigOptions = {}): AppConfig {
  return loadWith(appConfigWithoutSecretsSchema(), undefined, options);
}

const POLLER_SECTIONS: ReadonlySet<string> = new Set(Object.keys(pollerConfigSchema.shape));
const FORWARDER_SECTIONS: ReadonlySet<string> = new Set(Object.keys(forwarderConfigSchema.out.shape));

/**
 * The poller Lambda's half of {@link loadConfig}: MPAS, the lease and the queue limit. The
 * variables of the other sections (SIEM_*, REDACT_*, ...) are not read, so the poller loads
 * without the SIEM and its secret.
 */
export function loadPollerConfig(options: LoadConfigOptions = {}): PollerConfig {
  return loadWith(pollerConfigSchema, POLLER_SECTIONS, options);
}

/** The forwarder Lambda's half of {@link loadConfig}: destinations, redaction and archive; MPAS_* is not read. */
export function loadForwarderConfig(options: LoadConfigOptions = {}): ForwarderConfig {
  return loadWith(forwarderConfigSchema, FORWARDER_SECTIONS, options);
}

/** {@link loadConfig} with `schema`, reading only the `sections` it has (all when undefined). */
function loadWith<T>(schema: z.ZodType<T>, sections: ReadonlySet<string> | undefined, options: LoadConfigOptions): T {
  const env = options.env ?? process.env;
  const fileName = options.configFile ?? (env['MPAS_LOG_SYNC_CONFIG']?.trim() || undefined);
  const fileData = fileName === undefined ? undefined : readConfigFile(fileName);
  const fromEnv = readEnvSettings(env, sections);
  const merged = mergeLayers(mergeLayers(options.defaults ?? {}, fileData ?? {}), fromEnv.values);
  const input = sections === undefined ? merged : Object.fromEntries(Object.entries(merged).filter(([key]) => sections.has(key)));
  const context: ProblemContext = {
    sources: fromEnv.sources,
    ...(fileName !== undefined && fileData !== undefined ? { file: { name: fileName, data: fileData } } : {}),
    input,
  };

  const result = schema.safeParse(input);
  const problems: ConfigProblem[] = [...fromEnv.problems];
  if (!result.success) problems.push(...problemsFromIssues(result.error.issues, context));
  // A place the schema already found wrong is not reported twice.
  const wrong = result.success
    ? []
    : result.error.issues.flatMap((issue) => {
        const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
        // An unknown key says nothing of its siblings.
        return issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
      });
  for (const problem of pipelineProblems(input)) {
    if (wrong.some((path) => overlaps(path, problem.path))) continue;
    problems.push({ setting: settingName(problem.path, context), message: problem.message });
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** Deep merge where `over` wins; lists and {@link REPLACED_WHOLE} parts are replaced, not merged. */
function mergeLayers(base: unknown, over: unknown, path = ''): Record<string, unknown> {
  const merged: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  if (!isPlainObject(over)) return merged;
  for (const [key, value] of Object.entries(over)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const current = merged[key];
    merged[key] =
      isPlainObject(value) && isPlainObject(current) && !REPLACED_WHOLE.has(childPath) ? mergeLayers(current, value, childPath) : value;
  }
  return merged;
}

/** True when one path lies inside the other (or they are the same). */
function overlaps(a: ConfigPath, b: ConfigPath): boolean {
  const length = Math.min(a.length, b.length);
  return a.slice(0, length).every((key, index) => key === b[index]);
}
