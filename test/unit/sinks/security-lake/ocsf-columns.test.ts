import { describe, expect, it } from 'vitest';
import { classColumnsOf, OcsfSchemaError } from '../../../../lib/sinks/security-lake/ocsf-columns.js';
import type { JsonSchema } from '../../../../lib/sinks/security-lake/ocsf-columns.js';

/** The shape of an OCSF class schema: attributes, objects in $defs, one of them recursive. */
const CLASS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    class_uid: { const: 3002 },
    activity_id: { type: 'integer', enum: [0, 1, 2, 99] },
    time: { type: 'integer' },
    message: { type: 'string' },
    is_mfa: { type: 'boolean' },
    risk_score: { type: 'number' },
    severity: { enum: ['Informational', 'Low'] },
    user: { $ref: '#/$defs/user' },
    observables: { type: 'array', items: { $ref: '#/$defs/observable' } },
    unmapped: { type: 'object', additionalProperties: true },
    status_code: { type: ['string', 'null'] },
    mixed: { type: ['string', 'integer'] },
    tags: { type: 'array' },
  },
  $defs: {
    user: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        groups: { type: 'array', items: { $ref: '#/$defs/group' } },
        manager: { $ref: '#/$defs/user' },
      },
    },
    group: { type: 'object', properties: { name: { type: 'string' }, uid: { type: 'string' } } },
    observable: { type: 'object', properties: { name: { type: 'string' }, type_id: { type: 'integer' } } },
  },
};

describe('the Parquet columns of an OCSF class, from its JSON Schema', () => {
  it('maps each attribute to a column, objects to groups and arrays to lists', () => {
    expect(classColumnsOf(CLASS_SCHEMA)).toEqual({
      class_uid: { kind: 'long' },
      activity_id: { kind: 'long' },
      time: { kind: 'long' },
      message: { kind: 'string' },
      is_mfa: { kind: 'boolean' },
      risk_score: { kind: 'double' },
      severity: { kind: 'string' },
      user: {
        kind: 'struct',
        fields: {
          name: { kind: 'string' },
          groups: { kind: 'list', element: { kind: 'struct', fields: { name: { kind: 'string' }, uid: { kind: 'string' } } } },
          // Parquet has no recursive types: the object where it recurs is its JSON text.
          manager: { kind: 'json' },
        },
      },
      observables: { kind: 'list', element: { kind: 'struct', fields: { name: { kind: 'string' }, type_id: { kind: 'long' } } } },
      unmapped: { kind: 'json' },
      status_code: { kind: 'string' },
      mixed: { kind: 'json' },
      tags: { kind: 'json' },
    });
  });

  it('reads definitions under definitions as well as $defs', () => {
    expect(classColumnsOf({ type: 'object', properties: { user: { $ref: '#/definitions/user' } }, definitions: { user: { type: 'object', properties: { uid: { type: 'string' } } } } })).toEqual({
      user: { kind: 'struct', fields: { uid: { kind: 'string' } } },
    });
  });

  it('refuses a $ref to nothing and a schema that is no object, naming where', () => {
    expect(() => classColumnsOf({ type: 'object', properties: { user: { $ref: '#/$defs/nobody' } } })).toThrow(new OcsfSchemaError('user: $ref #/$defs/nobody points to no definition of the class schema'));
    expect(() => classColumnsOf({ type: 'string' })).toThrow(OcsfSchemaError);
  });
});
