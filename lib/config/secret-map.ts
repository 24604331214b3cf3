import * as z from 'zod';
import { ENV_VARS } from './env-var-table.js';
import { secretSettings } from './secret-registry.js';

/** A config path with `*` standing for any list index (`routes.*.siem.auth.value`). */
type PathPattern = readonly string[];

/** Where the secrets sit: the table's rows marked secret, and the objects holding them. */
export interface SecretMap {
  /** Every secret row's path, and its copy in each route (`routes.*.siem.auth.token`). */
  readonly secrets: readonly PathPattern[];
  /** The same paths, read from the schema's `secret()` marks: held against {@link secrets} by a test. */
  readonly schemaMarks: readonly PathPattern[];
  /**
   * The objects holding a secret beside harmless fields (`mpas.credentials`, `siem.auth`,
   * `redaction`), each with every field name any of its variants declares.
   */
  readonly holders: ReadonlyArray<{ readonly path: PathPattern; readonly fields: ReadonlySet<string> }>;
}

type JsonSchemaNode = {
  readonly secret?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly allOf?: readonly JsonSchemaNode[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchemaNode>>;
};

const secretMaps = new WeakMap<z.ZodType, SecretMap>();

/**
 * Where `schema` (the whole configuration or a Lambda's part of it) holds secrets: the secret rows
 * of env-var-table.ts, each also under `routes.*` when a route holds its section (`routeSections`:
 * a route has its own `siem` and `redaction`), so a new secret setting is one row of the table.
 * The holders' field names come from the schema as JSON Schema: zod walks its own unions,
 * defaults, pipes and lists (the input side; a preprocess step is looked through).
 */
export function secretMapOf(schema: z.ZodType, routeSections: ReadonlySet<string>): SecretMap {
  const known = secretMaps.get(schema);
  if (known !== undefined) return known;
  const secrets = withRouteCopies(ENV_VARS.filter((spec) => spec.secret === true).map((spec) => spec.path), routeSections).map((path) => path.split('.'));
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', metadata: secretSettings }) as JsonSchemaNode;
  const schemaMarks: PathPattern[] = [];
  const fieldsAt = new Map<string, Set<string>>();
  const walk = (node: JsonSchemaNode, path: PathPattern, refs: ReadonlySet<string>): void => {
    if (node.$ref !== undefined) {
      const name = node.$ref.replace(/^#\/\$defs\//, '');
      const target = root.$defs?.[name];
      // A schema that holds itself would walk forever; the config has none, and a loop adds nothing new.
      if (target !== undefined && !refs.has(name)) walk(target, path, new Set([...refs, name]));
    }
    if (node.secret === true) {
      // Each SIEM type declares its own `auth`: the same path comes once per type.
      if (!schemaMarks.some((known) => known.join('.') === path.join('.'))) schemaMarks.push(path);
      return;
    }
    for (const variant of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(variant, path, refs);
    if (node.properties !== undefined) {
      const key = path.join('.');
      const fields = fieldsAt.get(key) ?? new Set<string>();
      fieldsAt.set(key, fields);
      for (const [name, child] of Object.entries(node.properties)) {
        fields.add(name);
        walk(child, [...path, name], refs);
      }
    }
    if (node.items !== undefined) walk(node.items, [...path, '*'], refs);
  };
  walk(root, [], new Set());
  const holderPaths = new Map<string, PathPattern>(secrets.map((path) => [path.slice(0, -1).join('.'), path.slice(0, -1)]));
  const holders = [...holderPaths].map(([key, path]) => ({ path, fields: fieldsAt.get(key) ?? new Set<string>() }));
  const map = { secrets, schemaMarks, holders };
  secretMaps.set(schema, map);
  return map;
}

/** Each config path, and its copy in every route (`routes.*.siem.auth.token`) when a route has that section of its own. */
export function withRouteCopies(paths: readonly string[], routeSections: ReadonlySet<string>): string[] {
  return paths.flatMap((path) => (routeSections.has(path.split('.', 1)[0] ?? '') ? [path, `routes.*.${path}`] : [path]));
}

/** A config path in dotted form; list indices count as keys. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** True when `pattern` matches the start of `path`. */
function matchesStart(pattern: PathPattern, path: readonly PropertyKey[]): boolean {
  if (pattern.length > path.length) return false;
  return pattern.every((segment, index) => {
    const key = path[index];
    if (segment === '*') return typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key));
    return segment === key;
  });
}

/** True when the value at `path`, or anything inside it, is one of `map`'s secrets. */
export function isSecretIn(map: SecretMap, path: readonly PropertyKey[]): boolean {
  return map.secrets.some((pattern) => matchesStart(pattern, path));
}

/** config-secrets.ts's `mayQuote` for the configuration `map` was read from. */
export function mayQuoteIn(map: SecretMap, path: readonly PropertyKey[]): boolean {
  if (isSecretIn(map, path)) return false;
  return map.holders.every(({ path: holder, fields }) => {
    if (!matchesStart(holder, path)) return true;
    const field = path[holder.length];
    return typeof field === 'string' && fields.has(field);
  });
}
