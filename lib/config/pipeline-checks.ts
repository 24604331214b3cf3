import { compileFilter } from '../core/pipeline/event-filter.js';
import { compileFieldSelection } from '../core/pipeline/field-selection.js';
import { FilterError } from '../core/pipeline/filter-error.js';
import { createRedactor, RedactionConfigError } from '../core/pipeline/redactor.js';
import { DEFAULT_ROUTE_NAME, fieldsSchema, redactionConfigSchema } from './app-config-schema.js';
import { caFileProblems } from './ca-file-problems.js';
import type { ConfigPath, PathProblem } from './ca-file-problems.js';
import { isPlainObject } from './config-values.js';

export type { ConfigPath, PathProblem } from './ca-file-problems.js';

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

