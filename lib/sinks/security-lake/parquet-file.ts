import * as zlib from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import type { ClassColumns, Column } from './ocsf-columns.js';

/** A record whose shape its class's columns do not take: names the attribute and what is wrong. */
export class RecordShapeError extends Error {
  override readonly name = 'RecordShapeError';
}

/** A record as the Parquet writer takes it: every value checked against its column, 64-bit integers as bigint. */
export type StoredRecord = Readonly<Record<string, unknown>>;

/**
 * One OCSF record checked against its class's columns and converted for the writer. Throws a
 * {@link RecordShapeError} naming the first attribute that does not fit (an attribute the class
 * does not have, or a value of another type), so that one bad record is set apart, not its file.
 */
export function storedRecordOf(record: Readonly<Record<string, unknown>>, columns: ClassColumns): StoredRecord {
  return convertStruct(record, columns, '');
}

/**
 * Security Lake's recommendations for a custom source's objects (docs/siems.md, "Amazon Security
 * Lake"): Parquet, data pages of at most 1 MB uncompressed, zstandard compression (Node's own
 * zlib since 22.15; snappy, which the writer carries, where it is missing), one row group (a file
 * here holds one queue message's events, far below the 256 MB row group limit).
 */
export function writeParquetFile(records: readonly StoredRecord[], columns: ClassColumns, createdBy: string): Uint8Array {
  const columnData: ColumnSource[] = Object.keys(columns).map((name) => ({ name, data: records.map((record) => record[name] ?? null) }));
  const zstd = (zlib as { zstdCompressSync?: (input: Uint8Array) => Uint8Array }).zstdCompressSync;
  const buffer = parquetWriteBuffer({
    columnData,
    schema: parquetSchemaOf(columns),
    pageSize: 1_048_576,
    rowGroupSize: Math.max(1, records.length),
    createdBy,
    ...(zstd === undefined ? { codec: 'SNAPPY' as const } : { codec: 'ZSTD' as const, compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(zstd(input)) } }),
  });
  return new Uint8Array(buffer);
}

/**
 * The Parquet schema of a class's columns: every column optional (a record holds the
 * attributes its event has), lists in the standard three-level form (`<name>.list.element`)
 * that Glue, Athena and Spark read as arrays.
 */
export function parquetSchemaOf(columns: ClassColumns): SchemaElement[] {
  const elements: SchemaElement[] = [{ name: 'root', num_children: Object.keys(columns).length }];
  for (const [name, column] of Object.entries(columns)) elements.push(...elementsOf(name, column));
  return elements;
}

function elementsOf(name: string, column: Column): SchemaElement[] {
  switch (column.kind) {
    case 'string':
    case 'json':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }];
    case 'long':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'boolean':
      return [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'struct': {
      const children = Object.entries(column.fields).flatMap(([field, child]) => elementsOf(field, child));
      return [{ name, repetition_type: 'OPTIONAL', num_children: Object.keys(column.fields).length }, ...children];
    }
    case 'list':
      return [
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...elementsOf('element', column.element),
      ];
  }
}

function convert(value: unknown, column: Column, path: string): unknown {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'string':
      if (typeof value !== 'string') throw new RecordShapeError(`${path}: ${describe(value)} where the class has a string`);
      return value;
    case 'long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new RecordShapeError(`${path}: ${describe(value)} where the class has an integer`);
      return BigInt(value);
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new RecordShapeError(`${path}: ${describe(value)} where the class has a number`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new RecordShapeError(`${path}: ${describe(value)} where the class has a boolean`);
      return value;
    case 'json':
      return JSON.stringify(value);
    case 'list':
      if (!Array.isArray(value)) throw new RecordShapeError(`${path}: ${describe(value)} where the class has an array`);
      return value.map((element: unknown, index) => convert(element, column.element, `${path}[${index}]`));
    case 'struct':
      if (typeof value !== 'object' || Array.isArray(value)) throw new RecordShapeError(`${path}: ${describe(value)} where the class has an object`);
      return convertStruct(value as Record<string, unknown>, column.fields, `${path}.`);
  }
}

function convertStruct(value: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, Column>>, prefix: string): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(fields, name)) throw new RecordShapeError(`${prefix}${name}: not an attribute of the class schema`);
  }
  for (const [name, column] of Object.entries(fields)) converted[name] = convert(value[name], column, `${prefix}${name}`);
  return converted;
}

/** What a JSON value is, with its article: `an integer`, `a string`. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
