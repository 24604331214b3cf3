import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compileFilter } from '../core/pipeline/event-filter.js';
import { compileFieldSelection } from '../core/pipeline/field-selection.js';
import { FilterError } from '../core/pipeline/filter-error.js';
import { createRedactor, RedactionConfigError } from '../core/pipeline/redactor.js';
import { DEFAULT_ROUTE_NAME, fieldsSchema, redactionConfigSchema } from './app-config-schema.js';
import { isPlainObject } from './config-values.js';
import { describeReadError } from './read-config-file.js';

/** A config path: keys, and list indices as numbers. */
export type ConfigPath = ReadonlyArray<string | number>;

/** One problem found by building what the configuration describes, at its place in the config. */
export interface PathProblem {
  path: ConfigPath;
  message: string;
}

/**
 * What the schema cannot say, found by building what `run` builds before it reads or delivers
 * anything: every destination's filter, field selection, redaction and sink (the sink's own
 * rules: https except to a loopback host, no user info in its URL, ...), and every CA file, read
 * and parsed as PEM certificates. Works on the merged input, part by part, so a problem here is
 * reported beside the schema's problems elsewhere, in one start.
 */
export function pipelineProblems(input: Record<string, unknown>): PathProblem[] {
  const problems: PathProblem[] = [];
  const routes = Array.isArray(input['routes']) ? input['routes'] : [];
  // As the schema's preprocess reads it: routes without a siem make the routes the only destinations.
  const hasDefaultRoute = input['defaultRoute'] !== false && !(input['siem'] === undefined && routes.length > 0);

  const mpas = input['mpas'];
  problems.push(...caFileProblems(isPlainObject(mpas) ? mpas['caFile'] : undefined, ['mpas', 'caFile']));
  const siem = input['siem'];
  problems.push(...caFileProblems(isPlainObject(siem) ? siem['caFile'] : undefined, ['siem', 'caFile']));
  routes.forEach((route, index) => {
    if (isPlainObject(route) && isPlainObject(route['siem'])) problems.push(...caFileProblems(route['siem']['caFile'], ['routes', index, 'siem', 'caFile']));
  });
  problems.push(...redactionProblems(input['redaction'], ['redaction']));
  if (hasDefaultRoute) problems.push(...destinationProblems(input, []));
  routes.forEach((route, index) => {
    if (!isPlainObject(route)) return;
    const base = ['routes', index];
    if (route['name'] === DEFAULT_ROUTE_NAME && hasDefaultRoute) {
      problems.push({ path: [...base, 'name'], message: '"default" is the name of the default route (siem): give this route another name, or set defaultRoute to false' });
    }
    if (route['redaction'] !== undefined) problems.push(...redactionProblems(route['redaction'], [...base, 'redaction']));
    problems.push(...destinationProblems(route, base));
  });
  return problems;
}

/** The filter and field selection of one destination: the top level, or one route. (A sink checks nothing more when it is built: it is made at its first delivery, lib/sinks/lazy-sink.ts, and its CA file is checked above.) */
function destinationProblems(holder: Record<string, unknown>, base: ConfigPath): PathProblem[] {
  const problems: PathProblem[] = [];
  const filter = holder['filter'];
  if (isPlainObject(filter)) {
    try {
      compileFilter(filter, 'filter');
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      const where = error.path.slice('filter'.length).replace(/^\./, '');
      problems.push({ path: [...base, 'filter'], message: where === '' ? error.problem : `at ${where}: ${error.problem}` });
    }
  }
  const fields = fieldsSchema.safeParse(holder['fields'] ?? '*');
  if (fields.success) {
    try {
      compileFieldSelection(fields.data);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      const index = /\[(\d+)\]$/.exec(error.path)?.[1];
      problems.push({ path: index === undefined ? [...base, 'fields'] : [...base, 'fields', Number(index)], message: error.problem });
    }
  }
  return problems;
}

function redactionProblems(raw: unknown, base: ConfigPath): PathProblem[] {
  const parsed = redactionConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) return [];
  try {
    createRedactor(parsed.data);
    return [];
  } catch (error) {
    if (!(error instanceof RedactionConfigError)) throw error;
    // `userFields[2]` -> ['userFields', 2]
    const [, key, index] = /^([A-Za-z]+)(?:\[(\d+)\])?$/.exec(error.setting) ?? [];
    const path = key === undefined ? [...base] : index === undefined ? [...base, key] : [...base, key, Number(index)];
    return [{ path, message: error.message.replace(/^redaction\.[^:]*: /, '') }];
  }
}

/** The CA bundle must be readable and hold certificates that parse, as TLS will need them. */
function caFileProblems(file: unknown, path: ConfigPath): PathProblem[] {
  if (typeof file !== 'string' || file === '') return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return [{ path, message: `cannot be read (${describeReadError(error)}): ${file}` }];
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return [{ path, message: `holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${file}` }];
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return [{ path, message: `certificate ${index + 1} of ${blocks.length} in ${file} does not parse (${(error as Error).message})` }];
    }
  }
  return [];
}

