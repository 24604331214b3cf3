import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';
import { dotted } from './secret-map.js';
import { hideUrlSecrets } from './url-secrets.js';
import { isPlainObject } from './config-values.js';
import type { EnvSource } from './env-settings.js';
import { envNameForPath } from './env-var-table.js';

/** Where the merged configuration came from, to name each problem after its source. */
export interface ProblemContext {
  /** Config path -> the environment variable that set it. */
  readonly sources: ReadonlyMap<string, EnvSource>;
  /** The config file as the caller named it, and what it held. */
  readonly file?: { readonly name: string; readonly data: Record<string, unknown> };
  /** The merged input the schema saw. */
  readonly input: unknown;
  /** Whether a bad value at a path may be quoted: config-secrets.ts's `mayQuote` for the schema used. */
  readonly mayQuote: (path: readonly PropertyKey[]) => boolean;
}

type Path = readonly PropertyKey[];

/**
 * Turns the schema's issues into problems named after where the value came from: the
 * environment variable that set it, else its JSON path in the file, else (a missing value)
 * the variable that would set it. A bad value is quoted only when it is not a secret.
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], context: ProblemContext): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ setting: settingName([...issue.path, key], context), message: 'is not a known setting' }));
    }
    return [{ setting: settingName(issue.path, context), message: itemOf(issue.path, context) + withQuote(issue.path, issue.message, context) }];
  });
}

/** The name a problem at `path` is reported under (also used for checks after validation). */
export function settingName(path: Path, context: ProblemContext): string {
  const source = envSourceOf(path, context.sources);
  if (source !== undefined) return source.env.name;
  const shown = displayPath(path);
  if (context.file !== undefined && valueAt(context.file.data, path) !== undefined) return `${shown} (in ${context.file.name})`;
  const envName = envNameForPath(dotted(path.filter((key) => typeof key === 'string')));
  if (envName === undefined) return context.file === undefined ? shown : `${shown} (in ${context.file.name})`;
  return context.file === undefined ? envName : `${envName} (or ${shown} in ${context.file.name})`;
}

/** "item 2 " when the problem is one item of a variable's comma-separated list. */
function itemOf(path: Path, context: ProblemContext): string {
  const source = envSourceOf(path, context.sources);
  const item = source === undefined ? undefined : path[source.depth];
  return typeof item === 'number' ? `item ${item + 1} ` : '';
}

function withQuote(path: Path, message: string, context: ProblemContext): string {
  if (!context.mayQuote(path)) return message;
  const source = envSourceOf(path, context.sources);
  // The variable's own text, when the problem is the whole variable: what the operator typed.
  const value = source !== undefined && source.depth === path.length && source.env.raw !== undefined ? source.env.raw : valueAt(context.input, path);
  const quoted = quote(value);
  return quoted === undefined ? message : `${message}, got ${quoted}`;
}

function quote(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const shown = hideUrlSecrets(value);
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

/** The environment variable that set `path` or the nearest parent of it, and the depth of that parent. */
function envSourceOf(path: Path, sources: ReadonlyMap<string, EnvSource>): { env: EnvSource; depth: number } | undefined {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const env = sources.get(dotted(path.slice(0, depth)));
    if (env !== undefined) return { env, depth };
  }
  return undefined;
}

/** `mpas.realms[1]`: list indices in brackets, as in most JSON path notations. */
function displayPath(path: Path): string {
  return path.reduce<string>((shown, key) => (typeof key === 'number' ? `${shown}[${key}]` : shown === '' ? String(key) : `${shown}.${String(key)}`), '');
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}
