import { describe, expect, it } from 'vitest';
import type { ClassColumns } from '../../../../lib/sinks/security-lake/ocsf-columns.js';
import { RecordShapeError, storedRecordOf, writeParquetFile } from '../../../../lib/sinks/security-lake/parquet-file.js';
import { readParquetFile } from '../../../support/parquet-reader.js';

const COLUMNS: ClassColumns = {
  class_uid: { kind: 'long' },
  time: { kind: 'long' },
  message: { kind: 'string' },
  is_mfa: { kind: 'boolean' },
  risk_score: { kind: 'double' },
  user: { kind: 'struct', fields: { name: { kind: 'string' }, groups: { kind: 'list', element: { kind: 'struct', fields: { name: { kind: 'string' } } } } } },
  observables: { kind: 'list', element: { kind: 'struct', fields: { name: { kind: 'string' }, type_id: { kind: 'long' } } } },
  unmapped: { kind: 'json' },
};

const RECORDS = [
  {
    class_uid: 3002,
    time: 1741082400000,
    message: 'LOGIN',
    is_mfa: true,
    risk_score: 0.5,
    user: { name: 'alice', groups: [{ name: 'staff' }, { name: 'admins' }] },
    observables: [{ name: 'user.name', type_id: 4 }],
    unmapped: { keycloak: { details: { auth_method: 'openid-connect' } } },
  },
  // Attributes absent, an empty list, a group without its list.
  { class_uid: 3002, time: 1741082400001, user: { name: 'bob' }, observables: [] },
];

describe('Parquet files of OCSF records', () => {
  it('reads back, with another Parquet implementation, every value, nested groups and lists included', async () => {
    const bytes = writeParquetFile(RECORDS.map((record) => storedRecordOf(record, COLUMNS)), COLUMNS, 'mpas-log-sync test');
    const contents = await readParquetFile(bytes);
    expect(contents.columns).toEqual([
      'class_uid: Int64',
      'time: Int64',
      'message: Utf8',
      'is_mfa: Bool',
      'risk_score: Float64',
      'user: Struct<{name:Utf8, groups:List<Struct<{name:Utf8}>>}>',
      'observables: List<Struct<{name:Utf8, type_id:Int64}>>',
      'unmapped: Utf8',
    ]);
    expect(contents.rows).toEqual([
      { ...RECORDS[0], unmapped: JSON.stringify(RECORDS[0]!.unmapped) },
      { class_uid: 3002, time: 1741082400001, message: null, is_mfa: null, risk_score: null, user: { name: 'bob', groups: null }, observables: [], unmapped: null },
    ]);
  });

  it('is compressed with zstandard in one row group, as Security Lake recommends', async () => {
    const bytes = writeParquetFile(RECORDS.map((record) => storedRecordOf(record, COLUMNS)), COLUMNS, 'mpas-log-sync test');
    const contents = await readParquetFile(bytes);
    expect(contents.codecs).toEqual(['ZSTD']);
    expect(contents.rowGroupRows).toEqual([2]);
  });

  it('refuses a record its class does not take, naming the attribute', () => {
    const fails = (record: Record<string, unknown>) => () => storedRecordOf(record, COLUMNS);
    expect(fails({ class_uid: 3002, actor: {} })).toThrow(new RecordShapeError('actor: not an attribute of the class schema'));
    expect(fails({ class_uid: '3002' })).toThrow(new RecordShapeError('class_uid: a string where the class has an integer'));
    expect(fails({ user: { name: 7 } })).toThrow(new RecordShapeError('user.name: an integer where the class has a string'));
    expect(fails({ user: { groups: [{ name: 'a' }, { uid: 'b' }] } })).toThrow(new RecordShapeError('user.groups[1].uid: not an attribute of the class schema'));
    expect(fails({ observables: {} })).toThrow(new RecordShapeError('observables: an object where the class has an array'));
    expect(fails({ time: 1.5 })).toThrow(new RecordShapeError('time: a number where the class has an integer'));
  });
});
