import type { z } from 'zod';
import type { AppConfigInput } from './app-config-schema.js';
import type { ConfigPath, PathProblem } from './ca-file-problems.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { problemsFromIssues, settingName } from './config-problems.js';
import type { ProblemContext } from './config-problems.js';
import { readEnvSettings } from './env-settings.js';
import type { Environment } from './env-settings.js';
import { isPlainObject } from './config-values.js';
import { readConfigFile } from './read-config-file.js';

/** Some of the config file's shape: any part may be left out. */
export type ConfigLayer = DeepPartial<AppConfigInput>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Where `loadConfig` (load-config.ts) reads from. */
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

/** What a configuration is loaded as: load-config.ts's whole one, or a Lambda's part of it. */
export interface ConfigRules<T> {
  readonly schema: z.ZodType<T>;
  /** The top-level sections read from the file and the environment; all when undefined. */
  readonly sections?: ReadonlySet<string> | undefined;
  /** What the schema cannot say (pipeline-checks.ts). */
  readonly checks: (input: Record<string, unknown>) => PathProblem[];
  /** Whether a bad value at a path may be quoted in a problem (config-secrets.ts). */
  readonly mayQuote: (path: readonly PropertyKey[]) => boolean;
}

/**
 * Loads a configuration by `rules` from the caller's defaults, the JSON file and the environment,
 * each winning over the one before. Throws a {@link ConfigError} listing every problem.
 */
export function loadLayers<T>(rules: ConfigRules<T>, options: LoadConfigOptions): T {
  const { schema, sections, checks } = rules;
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
    mayQuote: rules.mayQuote,
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
  for (const problem of checks(input)) {
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
