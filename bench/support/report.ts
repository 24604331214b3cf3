import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine.js';
import { machineLine } from './machine.js';

/** Where every benchmark writes its figures; committed, so the README's numbers have a source. */
export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** One row of a printed table: column name to cell. */
export type Row = Record<string, string | number | boolean>;

/** What a benchmark writes to `bench/results/<name>.json`. */
export interface BenchResult {
  name: string;
  description: string;
  machine: MachineInfo;
  /** The settings the run used (counts, page size, repetitions...). */
  parameters: Record<string, unknown>;
  /** The figures, as printed. */
  rows: Row[];
  /** Each target, what was measured against it and whether it was met. */
  targets: Array<{ target: string; measured: string; met: boolean }>;
  /** Findings worth keeping beside the numbers (what a profile showed, why a target is missed). */
  notes?: string[];
  /** Figures another benchmark reads (the cost model reads the AWS benchmark's). */
  data?: Record<string, unknown>;
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (row: Row, column: string): string => {
    const value = row[column];
    if (value === undefined) return '';
    return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(value);
  };
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row, column).length)));
  const line = (cells: string[]): string => cells.map((text, index) => text.padStart(widths[index]!)).join('  ');
  console.log(line(columns));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(columns.map((column) => cell(row, column))));
}

/** Prints the result's table and targets and writes it to `bench/results/<name>.json`. */
export function report(result: BenchResult): void {
  printTable(`${result.name}: ${result.description}\n(${machineLine(result.machine)})`, result.rows);
  for (const { target, measured, met } of result.targets) console.log(`  ${met ? 'MET   ' : 'MISSED'} ${target}: ${measured}`);
  for (const note of result.notes ?? []) console.log(`  note: ${note}`);
  const file = join(RESULTS_DIR, `${result.name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`  written to ${file}`);
}
