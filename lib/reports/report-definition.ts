import * as z from 'zod';
import { ReportError } from './report-error.js';

const nonEmpty = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

/** One input of a report (PAS 6.0: `{"name", "displayName", "type": "input"}`), filled as `{{name}}`. */
export const reportParamSchema = z.strictObject({
  name: nonEmpty('a parameter name of letters, digits and _').regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a parameter name of letters, digits and _' }),
  displayName: nonEmpty('a non-empty string'),
  type: z.literal('input', { error: 'must be "input" (the one parameter type)' }),
  // Not in the seed: a value used when the command line gives none.
  default: z.string({ error: 'must be a string' }).optional(),
});

/**
 * A report definition exactly as PAS 6.0 writes them (docs/origins.md). `query` is checked where it is parsed
 * (report-query.ts), the filter where it is compiled (the filter language).
 */
export const reportDefinitionSchema = z.strictObject({
  displayName: nonEmpty('a non-empty string'),
  query: nonEmpty('a query such as "select * from audit_events order by date desc limit 10000"'),
  category: nonEmpty('a non-empty string'),
  description: z.string({ error: 'must be a string' }).optional(),
  params: z.array(reportParamSchema, { error: 'must be a list of parameters' }).default([]),
  postProcessing: z
    .strictObject({
      paramColumns: z.string({ error: 'must be "*" or comma-separated parameter names such as "duser,src"' }).default('*'),
      filter: z.record(z.string(), z.unknown(), { error: 'must be a filter object' }).optional(),
    })
    .optional(),
});
export type ReportDefinition = z.infer<typeof reportDefinitionSchema>;

/**
 * Reads a report definition from its JSON text. Throws a {@link ReportError} naming the field at
 * fault (`params[0].type`), or `(file)` when the text is not JSON.
 */
export function parseReportDefinition(text: string): ReportDefinition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportError('(file)', `is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = reportDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = (issue?.path ?? []).reduce<string>(
      (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? String(key) : `${path}.${String(key)}`),
      '',
    );
    throw new ReportError(field === '' ? '(definition)' : field, issue?.message ?? 'invalid', { cause: parsed.error });
  }
  const names = new Set<string>();
  parsed.data.params.forEach(({ name }, index) => {
    if (names.has(name)) throw new ReportError(`params[${index}].name`, `"${name}" is declared twice`);
    names.add(name);
  });
  return parsed.data;
}
