import type { ClassColumns, Column } from './ocsf-columns.js';

/**
 * The Parquet columns of each OCSF class the `ocsf` format writes for Security Lake
 * (lib/core/formats/ocsf/, in SECURITY_LAKE_OCSF_VERSION, 1.3.0: what custom sources take): the
 * class's attributes and objects of that release that the mapping fills, with their types in the
 * schema. A custom source's table has these columns in every file, whatever its records hold.
 * The unit test holds them to the classes' JSON Schemas (test/fixtures/ocsf/: each column is an
 * attribute of its class, of the type classColumnsOf derives for it), and runs every event type
 * of the catalog through the format into them.
 */

const STRING: Column = { kind: 'string' };
const LONG: Column = { kind: 'long' };
const struct = (fields: Record<string, Column>): Column => ({ kind: 'struct', fields });
const list = (element: Column): Column => ({ kind: 'list', element });

const USER = struct({ uid: STRING, name: STRING, domain: STRING, type_id: LONG, type: STRING });
const SESSION = struct({ uid: STRING });
/** The entity-like objects the mapping names by type, uid and name (`group`, `entity`, `resources[]`). */
const NAMED = struct({ type: STRING, uid: STRING, name: STRING });

/** What every class has: classification, status, time, metadata, from where, and what has no home. */
const BASE = {
  class_uid: LONG,
  class_name: STRING,
  category_uid: LONG,
  category_name: STRING,
  activity_id: LONG,
  activity_name: STRING,
  type_uid: LONG,
  type_name: STRING,
  severity_id: LONG,
  severity: STRING,
  status_id: LONG,
  status: STRING,
  status_detail: STRING,
  time: LONG,
  message: STRING,
  metadata: struct({
    version: STRING,
    product: struct({ name: STRING, vendor_name: STRING, version: STRING }),
    uid: STRING,
    event_code: STRING,
    original_time: STRING,
    log_name: STRING,
    tenant_uid: STRING,
  }),
  src_endpoint: struct({ ip: STRING, uid: STRING, name: STRING }),
} satisfies Record<string, Column>;

/** Who acted: in OCSF 1.3.0 an attribute of Account Change, Authentication and API Activity only. */
const ACTOR = { actor: struct({ app_name: STRING, user: USER, session: SESSION }) } satisfies Record<string, Column>;

/** `unmapped` last: the Keycloak fields without an OCSF home, as JSON text. */
const UNMAPPED = { unmapped: { kind: 'json' } } satisfies Record<string, Column>;

const CLASS_COLUMNS: ReadonlyMap<number, ClassColumns> = new Map<number, ClassColumns>([
  [3001, { ...BASE, ...ACTOR, user: USER, ...UNMAPPED }],
  [
    3002,
    {
      ...BASE,
      ...ACTOR,
      user: USER,
      service: struct({ name: STRING }),
      session: SESSION,
      auth_protocol_id: LONG,
      auth_protocol: STRING,
      ...UNMAPPED,
    },
  ],
  [3004, { ...BASE, entity: NAMED, ...UNMAPPED }],
  [3005, { ...BASE, user: USER, privileges: list(STRING), ...UNMAPPED }],
  [3006, { ...BASE, group: NAMED, user: USER, privileges: list(STRING), ...UNMAPPED }],
  [6003, { ...BASE, ...ACTOR, api: struct({ operation: STRING }), resources: list(NAMED), ...UNMAPPED }],
]);

/** The columns of a class, or undefined for a class the `ocsf` format does not write. */
export function ocsfClassColumns(classUid: number): ClassColumns | undefined {
  return CLASS_COLUMNS.get(classUid);
}

/** The classes with columns, for the tests that hold them to the schema. */
export const OCSF_CLASS_UIDS: readonly number[] = [...CLASS_COLUMNS.keys()];
