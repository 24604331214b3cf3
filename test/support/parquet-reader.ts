import { tableFromIPC } from 'apache-arrow';
import type { Field } from 'apache-arrow';
import { Compression, ParquetFile, readParquet } from 'parquet-wasm/node';

/** What a Parquet file holds, as read by the Rust parquet crate (parquet-wasm): a reader independent of the writer. */
export interface ParquetContents {
  /** Each top-level column and its Arrow type, such as `time: Int64`, `user: Struct<{name:Utf8, ...}>`. */
  columns: string[];
  /** The rows as JSON values: 64-bit integers as numbers, absent values as null. */
  rows: Array<Record<string, unknown>>;
  /** Rows of each row group. */
  rowGroupRows: number[];
  /** The compression codecs the column chunks use, by name (`ZSTD`, `SNAPPY`...). */
  codecs: string[];
}

/** Reads a whole Parquet file, its data and its footer. */
export async function readParquetFile(bytes: Uint8Array): Promise<ParquetContents> {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  const columns = table.schema.fields.map((field: Field) => `${field.name}: ${String(field.type)}`);
  const rows = table.toArray().map((row: { toJSON(): unknown }) => JSON.parse(JSON.stringify(row.toJSON(), (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value))) as Record<string, unknown>);
  const file = await ParquetFile.fromFile(new Blob([bytes]));
  const rowGroups = file.metadata().rowGroups();
  const codecs = new Set(rowGroups.flatMap((group) => group.columns().map((chunk) => Compression[chunk.compression()] ?? String(chunk.compression()))));
  return { columns, rows, rowGroupRows: rowGroups.map((group) => group.numRows()), codecs: [...codecs] };
}
