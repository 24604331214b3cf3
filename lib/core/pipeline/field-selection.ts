import { compileFieldReader, splitFieldPath } from './field-path.js';
import type { FieldReader } from './field-path.js';
import { FieldSelectionError } from './filter-error.js';

/** Picks the selected fields of an event into a new object; `*` hands the event back as it is. */
export type FieldSelection = <T extends object>(event: T) => T;

/**
 * Kept whatever the selection says: they tell what an event is and when it happened, which every
 * format needs (the envelope's timestamp, the CEF signature id), as PAS 6.0's reports keep their
 * date and event id columns beside the selected parameter columns.
 */
export const ALWAYS_SELECTED = ['time', 'type', 'operationType'] as const;

interface Pick {
  segments: string[];
  read: FieldReader;
}

function copyOf(value: unknown): unknown {
  // Events are JSON, so structuredClone is exact; primitives need no copy.
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

function put(target: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (next === null || typeof next !== 'object') {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    } else {
      node = next as Record<string, unknown>;
    }
  }
  node[segments[segments.length - 1] as string] = copyOf(value);
}

function pathsOf(spec: unknown, path: string): string[] {
  if (typeof spec === 'string') {
    // The seed's form: "duser,src", comma-separated without whitespace.
    return spec.split(',');
  }
  if (Array.isArray(spec) && spec.every((item) => typeof item === 'string')) return spec;
  throw new FieldSelectionError(path, 'expected "*", a comma-separated list such as "type,details.username" or an array of field paths');
}

/**
 * Compiles a field selection (PAS 6.0's `paramColumns`): `"*"` for every field, or dotted paths
 * over the event (`"type,details.username"` or `["type", "details.username"]`). The function
 * returns a copy holding only those fields, plus `ALWAYS_SELECTED`; a path the event lacks is left
 * out. Throws `FieldSelectionError` naming the bad entry.
 */
export function compileFieldSelection(spec: '*' | string[] | string, path = 'fields'): FieldSelection {
  if (spec === '*') return (event) => event;
  const paths = pathsOf(spec, path);
  if (paths.length === 0) throw new FieldSelectionError(path, 'expected at least one field path');
  const picks: Pick[] = [...ALWAYS_SELECTED, ...paths].map((fieldPath, index) => {
    const split = splitFieldPath(fieldPath);
    if ('problem' in split) {
      const where = typeof spec === 'string' ? path : `${path}[${index - ALWAYS_SELECTED.length}]`;
      throw new FieldSelectionError(where, split.problem);
    }
    return { segments: split.segments, read: compileFieldReader(split.segments) };
  });
  return <T extends object>(event: T): T => {
    const selected: Record<string, unknown> = {};
    for (const pick of picks) {
      const value = pick.read(event);
      if (value !== undefined) put(selected, pick.segments, value);
    }
    return selected as T;
  };
}
