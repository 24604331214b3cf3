import { createHmac } from 'node:crypto';
import { canonicalJson } from '../events/event-key.js';
import type { MpasEvent, Stream } from '../events/event-schemas.js';

/** Replaces, removes or hashes the personal fields of one event; never mutates its input. */
export type Redactor = (event: MpasEvent, stream: Stream) => MpasEvent;

/** How the forwarder redacts events before they are formatted (docs/configuration.md, "Redaction"). */
export interface RedactionOptions {
  /** `mask`: the value becomes `<redacted>`; `remove`: the field is deleted; `hash`: keyed HMAC-SHA256. */
  mode: 'mask' | 'remove' | 'hash';
  /** Dotted paths into user events, e.g. `details.username`. */
  userFields: readonly string[];
  /** Dotted paths into admin events, e.g. `authDetails.ipAddress`. */
  adminFields: readonly string[];
  /** The HMAC key; required in `hash` mode. */
  hashKey?: string;
}

/** The seed's user-event masks: the sample shows `ipAddress` and `details.username` as `<redacted>`. */
export const DEFAULT_USER_REDACTED_FIELDS: readonly string[] = Object.freeze(['ipAddress', 'details.username']);

/** The seed's admin-event masks: `authDetails.ipAddress` and the request body in `representation`. */
export const DEFAULT_ADMIN_REDACTED_FIELDS: readonly string[] = Object.freeze(['authDetails.ipAddress', 'representation']);

/** The literal the original service's samples show in place of a masked value. */
export const REDACTED = '<redacted>';

/** Prefix of a hashed value, so a SIEM rule can tell a hash from a real value. */
export const HASH_PREFIX = 'hmac-sha256:';

/** A redaction setting that cannot work; `setting` names it (`mode`, `hashKey`, `userFields[2]`...). */
export class RedactionConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`redaction.${setting}: ${message}`, options);
    this.name = 'RedactionConfigError';
  }
}

// Enough for the distinct users and addresses of a busy realm's batch.
const HASH_MEMO_ENTRIES = 10_000;

// Segments that would reach Object.prototype through a plain-object copy.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * The compiled paths of one stream as a tree: a `leaf` node is redacted as a whole (a longer path
 * under it is then moot); other nodes are objects to descend into.
 */
interface PathNode {
  leaf: boolean;
  children: Map<string, PathNode>;
  /** `children` as an array, made once compiled: walked per event without a Map iterator. */
  entries: Array<[string, PathNode]>;
}

type Replace = (value: unknown) => unknown;
const REMOVE = Symbol('remove');

/**
 * Builds the redactor once per configuration: paths are parsed and validated here, not per event.
 * `keepRedacted`: a value that already is a redaction's result (`<redacted>`, a `hmac-sha256:`
 * hash) stays as it is, for events redacted before under other settings (a dead letter redriven
 * after the settings changed), so a hash is never hashed again.
 */
export function createRedactor(options: RedactionOptions, { keepRedacted = false }: { keepRedacted?: boolean } = {}): Redactor {
  const redactValue = replacementFor(options);
  const replace: Replace = keepRedacted ? (value) => (isRedactionResult(value) ? value : redactValue(value)) : redactValue;
  const user = compilePaths(options.userFields, 'userFields');
  const admin = compilePaths(options.adminFields, 'adminFields');
  return (event, stream) => {
    const tree = stream === 'user' ? user : admin;
    return applyTree(event as Record<string, unknown>, tree, replace) as MpasEvent;
  };
}

/** True for what a redactor puts in a value's place (mask or hash); `remove` leaves nothing to see. */
export function isRedactionResult(value: unknown): boolean {
  return value === REDACTED || (typeof value === 'string' && value.startsWith(HASH_PREFIX));
}

function replacementFor(options: RedactionOptions): Replace {
  switch (options.mode) {
    case 'mask':
      return () => REDACTED;
    case 'remove':
      return () => REMOVE;
    case 'hash': {
      const key = options.hashKey;
      if (typeof key !== 'string' || key.length === 0) {
        throw new RedactionConfigError('hashKey', 'is required when mode is "hash"');
      }
      // The same users and addresses recur across events, and an HMAC costs microseconds: memoize,
      // bounded (emptied when full) so a stream of distinct values cannot grow it without end.
      const memo = new Map<string, string>();
      return (value) => {
        // Canonical JSON for non-strings, so the same object hashes the same in any key order.
        const text = typeof value === 'string' ? value : canonicalJson(value);
        let hashed = memo.get(text);
        if (hashed === undefined) {
          hashed = HASH_PREFIX + createHmac('sha256', key).update(text).digest('base64url');
          if (memo.size >= HASH_MEMO_ENTRIES) memo.clear();
          memo.set(text, hashed);
        }
        return hashed;
      };
    }
    default:
      throw new RedactionConfigError('mode', `must be mask, remove or hash, got ${JSON.stringify(options.mode)}`);
  }
}

function compilePaths(paths: readonly string[], setting: string): PathNode {
  const root: PathNode = { leaf: false, children: new Map(), entries: [] };
  paths.forEach((path, index) => {
    const segments = path.split('.');
    if (segments.some((segment) => segment.length === 0)) {
      throw new RedactionConfigError(`${setting}[${index}]`, `"${path}" is not a dotted field path`);
    }
    const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (forbidden !== undefined) {
      throw new RedactionConfigError(`${setting}[${index}]`, `"${path}" uses the reserved name "${forbidden}"`);
    }
    let node = root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { leaf: false, children: new Map(), entries: [] };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.leaf = true;
  });
  listEntries(root);
  return root;
}

function listEntries(node: PathNode): void {
  node.entries = [...node.children];
  for (const child of node.children.values()) listEntries(child);
}

/**
 * Returns `target` itself when nothing under it was redacted, else a shallow copy with the
 * changes: only the objects on redacted paths are copied, everything else is shared.
 */
function applyTree(target: Record<string, unknown>, node: PathNode, replace: Replace): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  const { entries } = node;
  for (let index = 0; index < entries.length; index += 1) {
    const [key, child] = entries[index]!;
    if (!Object.hasOwn(target, key)) continue;
    const value = target[key];
    // Absent stays absent and null stays null: there is nothing personal in them.
    if (value === undefined || value === null) continue;
    if (child.leaf) {
      copy ??= { ...target };
      const replacement = replace(value);
      if (replacement === REMOVE) delete copy[key];
      else copy[key] = replacement;
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      const inner = applyTree(value as Record<string, unknown>, child, replace);
      if (inner !== value) {
        copy ??= { ...target };
        copy[key] = inner;
      }
    }
  }
  return copy ?? target;
}
