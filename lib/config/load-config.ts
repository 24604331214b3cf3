import { accessSync, constants } from 'node:fs';
import { appConfigSchema } from './app-config-schema.js';
import type { AppConfig, AppConfigInput } from './app-config-schema.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { problemsFromIssues, settingName } from './config-problems.js';
import type { ProblemContext } from './config-problems.js';
import { isPlainObject } from './config-values.js';
import { readEnvSettings } from './env-settings.js';
import type { Environment } from './env-settings.js';
import { describeReadError, readConfigFile } from './read-config-file.js';

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

/** Files the process will read; checked now so a wrong path fails at start, not at first use. */
const FILE_SETTINGS: ReadonlyArray<readonly string[]> = [
  ['mpas', 'caFile'],
  ['siem', 'caFile'],
];

/**
 * Loads and validates the configuration: the caller's defaults, then the JSON file, then the
 * environment, each winning over the one before. Throws a {@link ConfigError} that lists every
 * problem at once, each under the name of the variable or file path it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const fileName = options.configFile ?? (env['MPAS_LOG_SYNC_CONFIG']?.trim() || undefined);
  const fileData = fileName === undefined ? undefined : readConfigFile(fileName);
  const fromEnv = readEnvSettings(env);
  const input = mergeLayers(mergeLayers(options.defaults ?? {}, fileData ?? {}), fromEnv.values);
  const context: ProblemContext = {
    sources: fromEnv.sources,
    ...(fileName !== undefined && fileData !== undefined ? { file: { name: fileName, data: fileData } } : {}),
    input,
  };

  const result = appConfigSchema.safeParse(input);
  const problems: ConfigProblem[] = [...fromEnv.problems, ...unreadableFiles(input, context)];
  if (!result.success) problems.push(...problemsFromIssues(result.error.issues, context));
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

function unreadableFiles(input: Record<string, unknown>, context: ProblemContext): ConfigProblem[] {
  return FILE_SETTINGS.flatMap((path): ConfigProblem[] => {
    const parent = input[path[0] as string];
    const file = isPlainObject(parent) ? parent[path[1] as string] : undefined;
    if (typeof file !== 'string' || file === '') return [];
    try {
      accessSync(file, constants.R_OK);
      return [];
    } catch (error) {
      return [{ setting: settingName(path, context), message: `cannot be read (${describeReadError(error)}): ${file}` }];
    }
  });
}
