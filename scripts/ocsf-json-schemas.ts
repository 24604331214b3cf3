/**
 * Writes JSON Schemas (draft 2020-12) of the OCSF classes the `ocsf` format produces, derived from
 * a checkout of github.com/ocsf/ocsf-schema at a released version, into
 * test/fixtures/ocsf/<version>/<class>.schema.json, with source.json naming the release and commit.
 * The tests validate the formatter's output against them offline.
 *
 *   npx tsx scripts/ocsf-json-schemas.ts <ocsf-schema checkout> --commit <sha of the checkout>
 *
 * The schema is resolved as the OCSF schema server resolves it: a class or object `extends` its
 * parent (attributes merged, the child's settings winning), `$include`d files add their
 * attributes, every attribute takes its type, array-ness and enum from dictionary.json (enum
 * values merged with the class's own). The format declares no profile (`metadata.profiles`), so
 * attributes that only a profile brings are left out, as the server leaves them out when no profile
 * is chosen. Required attributes are `required`, `at_least_one` / `just_one` constraints are
 * `anyOf` / `oneOf`, unknown attributes are refused (`additionalProperties: false`; `unmapped` is
 * where the rest goes). A class schema is self-contained: the objects it reaches are in its `$defs`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OCSF_CLASSES } from '../lib/core/formats/ocsf/ocsf-classes.js';
import { OCSF_VERSIONS } from '../lib/core/formats/ocsf/ocsf-version.js';

/**
 * The classes the format uses, by class uid, by their `name` in the schema: a release may keep a
 * class in another file (1.3.0 has API Activity in events/application/api.json).
 */
const CLASS_NAMES: Readonly<Record<number, string>> = {
  3001: 'account_change',
  3002: 'authentication',
  3004: 'entity_management',
  3005: 'user_access',
  3006: 'group_management',
  6003: 'api_activity',
};

type Json = Record<string, unknown>;

interface Attribute {
  requirement?: string;
  profile?: string | null;
  enum?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Definition {
  name: string;
  caption?: string;
  extends?: string;
  category?: string;
  uid?: number;
  attributes: Record<string, Attribute>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
}

type JsonSchema = Json;

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function mergeAttribute(base: Attribute | undefined, override: Attribute): Attribute {
  if (base === undefined) return { ...override };
  const merged: Attribute = { ...base, ...override };
  if (base.enum !== undefined || override.enum !== undefined) merged.enum = { ...base.enum, ...override.enum };
  return merged;
}

function mergeAttributes(base: Record<string, Attribute>, override: Record<string, Attribute>): Record<string, Attribute> {
  const merged = { ...base };
  for (const [name, attribute] of Object.entries(override)) merged[name] = mergeAttribute(merged[name], attribute);
  return merged;
}

class OcsfSchema {
  private readonly dictionary: Record<string, Attribute>;
  private readonly types: Record<string, Json>;
  private readonly objects = new Map<string, Definition>();
  private readonly resolvedObjects = new Map<string, Definition>();

  constructor(private readonly root: string) {
    const dictionary = readJson(join(root, 'dictionary.json'));
    this.dictionary = dictionary['attributes'] as Record<string, Attribute>;
    this.types = (dictionary['types'] as { attributes: Record<string, Json> }).attributes;
    for (const file of readdirSync(join(root, 'objects'))) {
      const definition = this.readDefinition(join('objects', file));
      this.objects.set(definition.name, definition);
    }
  }

  /** A class or object file with its `$include`s applied (an included profile's attributes marked with its name). */
  readDefinition(file: string): Definition {
    const raw = readJson(join(this.root, file)) as unknown as Definition & { attributes: Record<string, unknown> };
    const { $include, ...own } = raw.attributes as { $include?: string[] } & Record<string, Attribute>;
    let attributes: Record<string, Attribute> = {};
    for (const included of $include ?? []) {
      const source = readJson(join(this.root, included)) as { meta?: string; name: string; attributes: Record<string, Attribute> };
      const marked = Object.fromEntries(
        Object.entries(source.attributes).map(([name, attribute]) => [name, source.meta === 'profile' ? { ...attribute, profile: source.name } : attribute]),
      );
      attributes = mergeAttributes(attributes, marked);
    }
    return { ...raw, attributes: mergeAttributes(attributes, own) };
  }

  /** A definition with its `extends` chain merged in, parent first. */
  resolveChain(definition: Definition, lookup: (name: string) => Definition): Definition {
    if (definition.extends === undefined) return definition;
    const parent = this.resolveChain(lookup(definition.extends), lookup);
    return {
      ...definition,
      category: definition.category ?? parent.category,
      attributes: mergeAttributes(parent.attributes, definition.attributes),
      constraints: definition.constraints ?? parent.constraints,
    };
  }

  object(name: string): Definition {
    let resolved = this.resolvedObjects.get(name);
    if (resolved === undefined) {
      resolved = this.resolveChain(this.objectDefinition(name), (parent) => this.objectDefinition(parent));
      this.resolvedObjects.set(name, resolved);
    }
    return resolved;
  }

  private objectDefinition(name: string): Definition {
    const definition = this.objects.get(name);
    if (definition === undefined) throw new Error(`objects: no object named ${name}`);
    return definition;
  }

  private eventFiles: Map<string, string> | undefined;

  /** The file of each event class under events/, by the class's name. */
  eventFile(name: string): string {
    if (this.eventFiles === undefined) {
      const files = new Map<string, string>();
      const walk = (folder: string): void => {
        for (const entry of readdirSync(join(this.root, folder), { withFileTypes: true })) {
          if (entry.isDirectory()) walk(join(folder, entry.name));
          else if (entry.name.endsWith('.json')) files.set((readJson(join(this.root, folder, entry.name)) as { name: string }).name, join(folder, entry.name));
        }
      };
      walk('events');
      this.eventFiles = files;
    }
    const file = this.eventFiles.get(name);
    if (file === undefined) throw new Error(`events: no class named ${name}`);
    return file;
  }

  eventClass(name: string): Definition {
    return this.resolveChain(this.readDefinition(this.eventFile(name)), (parent) => this.readDefinition(this.eventFile(parent)));
  }

  /** The JSON Schema of one attribute, its object types added to `reached`. */
  attributeSchema(name: string, attribute: Attribute, reached: Set<string>): JsonSchema {
    const entry = this.dictionary[name];
    if (entry === undefined) throw new Error(`dictionary: no attribute named ${name}`);
    const merged = mergeAttribute(entry, attribute);
    const typeName = merged['type'] as string;
    // A scalar's type is one of the dictionary's types (`string_t`...); an object's is the object's name.
    const isObject = !(typeName in this.types);
    let schema: JsonSchema;
    if (typeName === 'object') schema = { type: 'object' };
    else if (isObject) {
      reached.add(typeName);
      schema = { $ref: `#/$defs/${typeName}` };
    } else {
      schema = this.typeSchema(typeName);
    }
    if (merged.enum !== undefined && !isObject) {
      const values = Object.keys(merged.enum).map((key) => (schema['type'] === 'integer' ? Number(key) : key));
      schema = { ...schema, enum: values };
    }
    return merged['is_array'] === true ? { type: 'array', items: schema } : schema;
  }

  /** A dictionary type as JSON Schema: its base JSON type, with the regex, length and range it declares. */
  private typeSchema(typeName: string): JsonSchema {
    const type = this.types[typeName];
    if (type === undefined) throw new Error(`dictionary types: no type named ${typeName}`);
    const base: JsonSchema =
      typeName === 'string_t'
        ? { type: 'string' }
        : typeName === 'integer_t' || typeName === 'long_t'
          ? { type: 'integer' }
          : typeName === 'float_t'
            ? { type: 'number' }
            : typeName === 'boolean_t'
              ? { type: 'boolean' }
              : typeName === 'json_t'
                ? {}
                : this.typeSchema(type['type'] as string);
    const schema = { ...base };
    if (typeof type['regex'] === 'string') schema['pattern'] = type['regex'];
    if (typeof type['max_len'] === 'number') schema['maxLength'] = type['max_len'];
    const range = type['range'] as [number, number] | undefined;
    if (range !== undefined) Object.assign(schema, { minimum: range[0], maximum: range[1] });
    return schema;
  }

  /** An object schema of a class's or object's attributes, profile-only attributes left out. */
  objectSchema(definition: Definition, reached: Set<string>, extra: Record<string, JsonSchema> = {}): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [name, attribute] of Object.entries(definition.attributes).sort(([a], [b]) => a.localeCompare(b))) {
      if (typeof attribute.profile === 'string') continue;
      properties[name] = extra[name] ?? this.attributeSchema(name, attribute, reached);
      if (attribute.requirement === 'required') required.push(name);
    }
    const schema: JsonSchema = { type: 'object', properties, required, additionalProperties: false };
    const present = (names: string[] | undefined): string[] => (names ?? []).filter((name) => name in properties);
    const atLeastOne = present(definition.constraints?.at_least_one);
    const justOne = present(definition.constraints?.just_one);
    if (atLeastOne.length > 0) schema['anyOf'] = atLeastOne.map((name) => ({ required: [name] }));
    if (justOne.length > 0) schema['oneOf'] = justOne.map((name) => ({ required: [name] }));
    return schema;
  }

  classSchema(classUid: number, name: string, version: string): JsonSchema {
    const definition = this.eventClass(name);
    const categories = (readJson(join(this.root, 'categories.json'))['attributes'] as Record<string, { uid: number }>);
    const categoryUid = categories[definition.category as string]?.uid;
    if (categoryUid === undefined || categoryUid * 1000 + (definition.uid as number) !== classUid) {
      throw new Error(`${name}: its category ${definition.category} and uid ${definition.uid} do not make class ${classUid}`);
    }
    const activityIds = Object.keys(definition.attributes['activity_id']?.enum ?? {}).map(Number);
    const reached = new Set<string>();
    const schema = this.objectSchema(definition, reached, {
      class_uid: { type: 'integer', const: classUid },
      category_uid: { type: 'integer', const: categoryUid },
      activity_id: { type: 'integer', enum: activityIds },
      type_uid: { type: 'integer', enum: activityIds.map((id) => classUid * 100 + id) },
    });
    const defs: Record<string, JsonSchema> = {};
    const pending = [...reached];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name in defs) continue;
      const found = new Set<string>();
      defs[name] = this.objectSchema(this.object(name), found);
      for (const next of found) if (!(next in defs)) pending.push(next);
    }
    return {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://schema.ocsf.io/${version}/classes/${definition.name}`,
      title: `${definition.caption} (${classUid})`,
      ...schema,
      $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

function main(): void {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { commit: { type: 'string' }, out: { type: 'string' } } });
  const [checkout] = positionals;
  if (checkout === undefined || values.commit === undefined || !/^[0-9a-f]{40}$/.test(values.commit)) {
    throw new Error('usage: npx tsx scripts/ocsf-json-schemas.ts <ocsf-schema checkout> --commit <40-hex commit of the checkout> [--out <dir>]');
  }
  const version = (readJson(join(checkout, 'version.json')) as { version: string }).version;
  if (!(OCSF_VERSIONS as readonly string[]).includes(version)) throw new Error(`the checkout is OCSF ${version}; lib/core/formats/ocsf/ocsf-version.ts writes ${OCSF_VERSIONS.join(', ')}`);
  const out = resolve(values.out ?? join('test/fixtures/ocsf', version));
  if (!existsSync(out)) mkdirSync(out, { recursive: true });
  const schema = new OcsfSchema(checkout);
  const classes: Record<string, string> = {};
  for (const ocsfClass of OCSF_CLASSES.values()) {
    const name = CLASS_NAMES[ocsfClass.uid];
    if (name === undefined) throw new Error(`CLASS_NAMES: class ${ocsfClass.uid} (${ocsfClass.name}) has no name`);
    writeFileSync(join(out, `${name}.schema.json`), JSON.stringify(schema.classSchema(ocsfClass.uid, name, version), null, 1) + '\n');
    classes[String(ocsfClass.uid)] = `${name}.schema.json`;
  }
  const source = { repository: 'https://github.com/ocsf/ocsf-schema', version, commit: values.commit, generator: 'scripts/ocsf-json-schemas.ts', classes };
  writeFileSync(join(out, 'source.json'), JSON.stringify(source, null, 2) + '\n');
  console.log(`wrote ${Object.keys(classes).length} class schemas of OCSF ${version} to ${out}`);
}

main();
