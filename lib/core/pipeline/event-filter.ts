import * as z from 'zod';
import { compileFieldReader, splitFieldPath } from './field-path.js';
import type { FieldReader } from './field-path.js';
import { FilterError } from './filter-error.js';

/** What a filter sees of an event: the JSON envelope's members (the original service's document, docs/origins.md). */
export interface FilterEnvelope {
  eventType: string;
  timestamp?: string;
  event: Record<string, unknown>;
}

/** A compiled filter: true keeps the event. */
export type EventFilter = (envelope: FilterEnvelope) => boolean;

/** The comparators of PAS 6.0's filter language. */
export const COMPARATORS = ['equals', 'contains', 'greaterthan', 'smallerthan'] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** The envelope members a field path may start with. */
const ROOTS = ['eventType', 'timestamp', 'event'];

// Decimal only: "0x10" or "1e400" in a config is a mistake, not a number.
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number, or a string that spells one (Keycloak's details are all strings: "0.9"); else NaN. */
function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) return Number(value.trim());
  return Number.NaN;
}

const operandsSchema = z
  .array(z.unknown(), { error: 'expected an array of filters' })
  .min(1, { error: 'expected at least one filter' });
const equalsSchema = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const containsSchema = z.union([z.string(), z.number()], { error: 'expected a string' }).transform(String);
const numberSchema = z
  .unknown()
  .transform(numberOf)
  .refine(Number.isFinite, { error: 'expected a number or a numeric string such as "0.9"' });

function parse<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new FilterError(path, result.error.issues[0]?.message ?? 'invalid', { cause: result.error });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function comparison(comparator: Comparator, operand: unknown, path: string): (field: unknown) => boolean {
  switch (comparator) {
    case 'equals': {
      const expected = parse(equalsSchema, operand, path);
      const asText = String(expected);
      const asNumber = numberOf(expected);
      return (field) =>
        typeof field === 'string' ? field === asText
        : typeof field === 'number' ? field === asNumber
        : typeof field === 'boolean' && String(field) === asText;
    }
    case 'contains': {
      const needle = parse(containsSchema, operand, path);
      return (field) => typeof field === 'string' && field.includes(needle);
    }
    case 'greaterthan': {
      const bound = parse(numberSchema, operand, path);
      return (field) => numberOf(field) > bound;
    }
    case 'smallerthan': {
      const bound = parse(numberSchema, operand, path);
      return (field) => numberOf(field) < bound;
    }
  }
}

function fieldReader(fieldPath: string, path: string): FieldReader {
  const split = splitFieldPath(fieldPath);
  if ('problem' in split) throw new FilterError(path, split.problem);
  const [root, ...rest] = split.segments;
  if (!ROOTS.includes(root as string) || (root !== 'event' && rest.length > 0)) {
    throw new FilterError(path, `unknown field "${fieldPath}": paths start with eventType, timestamp or event. (e.g. event.details.username)`);
  }
  return compileFieldReader(split.segments);
}

function compileField(fieldPath: string, test: unknown, path: string): EventFilter {
  const read = fieldReader(fieldPath, path);
  const keys = isObject(test) ? Object.keys(test) : [];
  if (keys.length !== 1) throw new FilterError(path, `expected an object with one comparator (${COMPARATORS.join(', ')})`);
  const comparator = keys[0] as string;
  if (!(COMPARATORS as readonly string[]).includes(comparator)) {
    throw new FilterError(path, `unknown comparator "${comparator}" (use ${COMPARATORS.join(', ')})`);
  }
  const matches = comparison(comparator as Comparator, (test as Record<string, unknown>)[comparator], `${path}.${comparator}`);
  // A missing field is undefined, which no comparison accepts: it never matches.
  return (envelope) => matches(read(envelope));
}

function compileNode(node: unknown, path: string): EventFilter {
  const keys = isObject(node) ? Object.keys(node) : [];
  if (keys.length !== 1) throw new FilterError(path, 'expected an object with one key');
  const key = keys[0] as string;
  const value = (node as Record<string, unknown>)[key];
  if (key === 'AND' || key === 'OR') {
    const operands = parse(operandsSchema, value, `${path}.${key}`);
    const parts = operands.map((operand, index) => compileNode(operand, `${path}.${key}[${index}]`));
    return key === 'AND' ? (envelope) => parts.every((part) => part(envelope)) : (envelope) => parts.some((part) => part(envelope));
  }
  if (key === 'NOT') {
    const inner = compileNode(value, `${path}.NOT`);
    return (envelope) => !inner(envelope);
  }
  return compileField(key, value, `${path}[${JSON.stringify(key)}]`);
}

/**
 * Compiles PAS 6.0's filter language into nested closures, once: `{"AND": [...]}`,
 * `{"OR": [...]}`, `{"NOT": {...}}` and `{"<field path>": {"<comparator>": value}}`, field paths
 * over the envelope (`eventType`, `event.type`, `event.details.auth_method`). `equals` compares as
 * text for a text field and as a number for a number field; `contains` is a substring test on text;
 * `greaterthan`/`smallerthan` compare numbers, numeric strings included. A missing field never
 * matches a comparator. An invalid node throws `FilterError` with its path (`filter.AND[2].NOT`).
 */
export function compileFilter(spec: unknown, path = 'filter'): EventFilter {
  return compileNode(spec, path);
}
