import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdminEvent, MpasEvent, Stream, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { formatterFor } from '../../../../lib/core/formats/format-registry.js';
import { OCSF_CLASSES } from '../../../../lib/core/formats/ocsf/ocsf-classes.js';
import { SECURITY_LAKE_OCSF_VERSION } from '../../../../lib/core/formats/ocsf/ocsf-version.js';
import { ADMIN_OPERATIONS, ADMIN_RESOURCE_CATALOG, USER_EVENT_CATALOG } from '../../../../lib/core/pipeline/event-catalog.js';
import { OCSF_CLASS_UIDS, ocsfClassColumns } from '../../../../lib/sinks/security-lake/ocsf-class-columns.js';
import { classColumnsOf } from '../../../../lib/sinks/security-lake/ocsf-columns.js';
import type { Column, JsonSchema } from '../../../../lib/sinks/security-lake/ocsf-columns.js';
import { storedRecordOf, writeParquetFile } from '../../../../lib/sinks/security-lake/parquet-file.js';
import { ocsfProblems, ocsfSchemaSource } from '../../../support/ocsf-validator.js';
import { readParquetFile } from '../../../support/parquet-reader.js';

const TIME = Date.parse('2025-03-04T10:00:00.000Z');
// As the runtime builds it for the security-lake type (lib/runtime/formatter-from-config.ts).
const ocsf = formatterFor('ocsf', { version: '0.1.0-test', ocsfVersion: SECURITY_LAKE_OCSF_VERSION });

/** Each user event type of the catalog, failed too, and one it does not know, with every field the mapping reads, and without them. */
function userEvents(): UserEvent[] {
  const types = [...Object.keys(USER_EVENT_CATALOG).flatMap((type) => [type, `${type}_ERROR`]), 'A_TYPE_OF_A_NEWER_KEYCLOAK'];
  return types.flatMap((type, index) => [
    {
      id: `u-${index}`,
      time: TIME + index,
      type,
      realmId: 'realm-uuid',
      clientId: 'account-console',
      userId: 'user-uuid',
      sessionId: 'session-uuid',
      ipAddress: index % 2 === 0 ? '203.0.113.7' : '<redacted>',
      ...(type.endsWith('_ERROR') ? { error: 'invalid_user_credentials' } : {}),
      details: { username: 'alice', auth_method: index % 3 === 0 ? 'saml' : 'openid-connect', impersonator: 'admin', impersonator_id: 'admin-uuid', redirect_uri: 'https://app.example.com/' },
    },
    { time: TIME + index, type },
  ]);
}

/** Each admin operation on each resource type of the catalog, and on one it does not know, at the paths the mapping reads. */
function adminEvents(): AdminEvent[] {
  const paths = ['users/user-uuid', 'users/user-uuid/reset-password', 'groups/group-uuid/role-mappings/realm', 'users/user-uuid/groups/group-uuid', 'organizations/org-uuid/members/member-uuid', 'clients/client-uuid'];
  const bodies = ['{"name":"ops"}', '[{"name":"admin"},{"name":"viewer"}]', '<redacted>'];
  const events: AdminEvent[] = [];
  for (const operationType of [...Object.keys(ADMIN_OPERATIONS), 'A_NEWER_OPERATION']) {
    for (const resourceType of [...Object.keys(ADMIN_RESOURCE_CATALOG), 'A_NEWER_RESOURCE']) {
      paths.forEach((resourcePath, index) => {
        events.push({
          id: `a-${events.length}`,
          time: TIME + events.length,
          realmId: 'realm-uuid',
          authDetails: { realmId: 'master-uuid', clientId: 'admin-cli', userId: 'admin-uuid', ipAddress: index % 2 === 0 ? '2001:db8::1' : 'hmac:3f2a' },
          operationType,
          resourceType,
          resourcePath,
          representation: bodies[index % bodies.length],
          ...(index === 0 ? { error: 'unknown_error' } : {}),
        });
      });
      events.push({ time: TIME, operationType, resourceType });
    }
  }
  return events;
}

function records(events: readonly MpasEvent[], stream: Stream): Array<Record<string, unknown>> {
  return events.map((event) => JSON.parse(ocsf.encode(event, { tenant: 'acme', realm: 'customers', stream })) as Record<string, unknown>);
}

/** A value with its null members left out, as the OCSF document had them absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null).map(([key, member]) => [key, withoutNulls(member)]));
}

/** The class's JSON Schema, as scripts/ocsf-json-schemas.ts derived it from the OCSF release. */
function classSchema(classUid: number): JsonSchema {
  const file = ocsfSchemaSource(SECURITY_LAKE_OCSF_VERSION).classes[String(classUid)]!;
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'ocsf', SECURITY_LAKE_OCSF_VERSION, file), 'utf8')) as JsonSchema;
}

/** The paths of `columns` whose column is not the schema's column at the same path. */
function differences(columns: Readonly<Record<string, Column>>, schema: Readonly<Record<string, Column>>, prefix = ''): string[] {
  return Object.entries(columns).flatMap(([name, column]) => {
    const path = `${prefix}${name}`;
    const expected = schema[name];
    if (expected === undefined) return [`${path}: not an attribute of the class`];
    return differencesOf(column, expected, path);
  });
}

function differencesOf(column: Column, expected: Column, path: string): string[] {
  if (column.kind !== expected.kind) return [`${path}: ${column.kind}, the schema has ${expected.kind}`];
  if (column.kind === 'struct' && expected.kind === 'struct') return differences(column.fields, expected.fields, `${path}.`);
  if (column.kind === 'list' && expected.kind === 'list') return differencesOf(column.element, expected.element, `${path}[]`);
  return [];
}

describe('the Parquet columns of the OCSF classes', () => {
  const all = [...records(userEvents(), 'user'), ...records(adminEvents(), 'admin')];

  it('exist for every class the ocsf format writes', () => {
    expect([...OCSF_CLASS_UIDS].sort()).toEqual([...OCSF_CLASSES.keys()].sort());
    expect(new Set(all.map((record) => record['class_uid']))).toEqual(new Set(OCSF_CLASSES.keys()));
  });

  it('are attributes of the class, each of the type its JSON Schema gives it', () => {
    for (const classUid of OCSF_CLASS_UIDS) {
      expect(differences(ocsfClassColumns(classUid)!, classColumnsOf(classSchema(classUid))), `class ${classUid}`).toEqual([]);
    }
  });

  it('take every event of the catalog as the ocsf format writes it, and read back equal to the document, valid for its class', async () => {
    for (const classUid of OCSF_CLASS_UIDS) {
      const columns = ocsfClassColumns(classUid)!;
      const documents = all.filter((record) => record['class_uid'] === classUid);
      const file = writeParquetFile(documents.map((document) => storedRecordOf(document, columns)), columns, 'test');
      const { rows } = await readParquetFile(file);
      const readBack = rows.map((row) => withoutNulls({ ...row, ...(typeof row['unmapped'] === 'string' ? { unmapped: JSON.parse(row['unmapped']) as unknown } : {}) }));
      expect(readBack, `class ${classUid}`).toEqual(documents);
      expect(readBack.flatMap((row) => ocsfProblems(row as { class_uid: number }, SECURITY_LAKE_OCSF_VERSION)), `class ${classUid}`).toEqual([]);
    }
  });
});
