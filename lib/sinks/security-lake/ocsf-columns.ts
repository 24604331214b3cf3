/**
 * The columns of one OCSF class's Parquet files, derived from the class's JSON Schema: the same
 * description that validates the formatter's output decides the files' schema, so every file of
 * a custom source has one schema (its Glue crawler sees one table) whatever its records hold.
 */

/** The part of JSON Schema an OCSF class's schema uses. */
export interface JsonSchema {
  type?: string | readonly string[];
  properties?: Readonly<Record<string, JsonSchema>>;
  items?: JsonSchema;
  $ref?: string;
  $defs?: Readonly<Record<string, JsonSchema>>;
  definitions?: Readonly<Record<string, JsonSchema>>;
  enum?: readonly unknown[];
  const?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

/** One column, or a group of them: how a value of an OCSF attribute is stored. */
export type Column =
  | { kind: 'string' | 'long' | 'double' | 'boolean' }
  /** A value without a fixed shape (`unmapped`, an object of any keys, an attribute of mixed types), stored as its JSON text. */
  | { kind: 'json' }
  | { kind: 'struct'; fields: Readonly<Record<string, Column>> }
  | { kind: 'list'; element: Column };

/** The top-level attributes of a class, in the schema's order. */
export type ClassColumns = Readonly<Record<string, Column>>;

/** A class schema this writer cannot store: names the path and what is wrong. */
export class OcsfSchemaError extends Error {
  override readonly name = 'OcsfSchemaError';
}

const JSON_COLUMN: Column = { kind: 'json' };

/**
 * The columns of a class from its JSON Schema (an object schema; `$ref`s point into its own
 * `$defs` or `definitions`). An object that refers to itself through its attributes (OCSF's
 * `user.groups`... or `process.parent_process`) is stored as JSON text where it recurs: Parquet
 * has no recursive types.
 */
export function classColumnsOf(schema: JsonSchema): ClassColumns {
  const column = columnOf(schema, schema, [], '(class)');
  if (column.kind !== 'struct') throw new OcsfSchemaError('the class schema must be an object schema with properties');
  return column.fields;
}

function columnOf(node: JsonSchema, root: JsonSchema, refsOnPath: readonly string[], path: string): Column {
  if (node.$ref !== undefined) {
    if (refsOnPath.includes(node.$ref)) return JSON_COLUMN;
    return columnOf(resolve(root, node.$ref, path), root, [...refsOnPath, node.$ref], path);
  }
  const types = typesOf(node);
  if (types.length !== 1) return JSON_COLUMN;
  switch (types[0]) {
    case 'string':
      return { kind: 'string' };
    case 'integer':
      // OCSF's integer_t, long_t and timestamp_t (epoch milliseconds) all fit a 64-bit column.
      return { kind: 'long' };
    case 'number':
      return { kind: 'double' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return node.items === undefined ? JSON_COLUMN : { kind: 'list', element: columnOf(node.items, root, refsOnPath, `${path}[]`) };
    case 'object': {
      const properties = Object.entries(node.properties ?? {});
      if (properties.length === 0) return JSON_COLUMN;
      const fields: Record<string, Column> = {};
      for (const [name, property] of properties) fields[name] = columnOf(property, root, refsOnPath, path === '(class)' ? name : `${path}.${name}`);
      return { kind: 'struct', fields };
    }
    default:
      return JSON_COLUMN;
  }
}

/** The JSON types a node allows, `null` aside (every column is nullable). */
function typesOf(node: JsonSchema): string[] {
  if (node.type !== undefined) return (typeof node.type === 'string' ? [node.type] : [...node.type]).filter((type) => type !== 'null');
  if (node.properties !== undefined) return ['object'];
  const values = node.const !== undefined ? [node.const] : node.enum ?? [];
  const kinds = new Set(values.filter((value) => value !== null).map((value) => (typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value)));
  return [...kinds];
}

function resolve(root: JsonSchema, ref: string, path: string): JsonSchema {
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
  const target = match === null ? undefined : root[match[1] as '$defs' | 'definitions']?.[decodeURIComponent(match[2]!)];
  if (target === undefined) throw new OcsfSchemaError(`${path}: $ref ${ref} points to no definition of the class schema`);
  return target;
}
