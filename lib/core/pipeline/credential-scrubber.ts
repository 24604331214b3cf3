import type { MpasEvent } from '../events/event-schemas.js';
import { jsonTextDepth } from '../../sources/mpas/json-array-slices.js';
import { MAX_EVENT_DEPTH } from '../../sources/mpas/page-limits.js';
import { classifyName, memberName } from './secret-names.js';
import type { NameClass } from './secret-names.js';
import { REMOVED, REMOVED_NOT_JSON, holdsNoSecret, scrubText } from './secret-text.js';

export { REMOVED, REMOVED_NOT_JSON } from './secret-text.js';

/**
 * How many values (members, elements) one tree may hold: the event itself, or the JSON held in
 * one of its strings. A realm's partial import of 10,000 users holds about 300,000; beyond the
 * limit the string is replaced by {@link removedTooLarge}, never passed on unscrubbed.
 */
export const MAX_SCRUB_VALUES = 1_000_000;

/** How often JSON may be encoded into a string inside JSON (twice-encoded is 2); deeper is removed. */
export const MAX_JSON_LAYERS = 8;

/**
 * What a JSON text (a `representation`, or JSON in any other string) nesting deeper than
 * MAX_EVENT_DEPTH becomes: it is never parsed. An admin event whose `representation` this
 * replaced is dead-lettered (see batchForChunk).
 */
export function removedTooDeep(depth: number): string {
  return `<removed: nests ${depth} levels, more than the limit ${MAX_EVENT_DEPTH}>`;
}

/** The depth of a representation that {@link removedTooDeep} replaced, read back from its text. */
export function tooDeepDepth(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^<removed: nests (\d+) levels, more than the limit \d+>$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** What a JSON text holding more than MAX_SCRUB_VALUES values becomes. */
export function removedTooLarge(): string {
  return `<removed: holds more than ${MAX_SCRUB_VALUES} values, the limit>`;
}

const REMOVED_TOO_MANY_LAYERS = `<removed: JSON encoded in text more than ${MAX_JSON_LAYERS} times>`;
const REMOVED_DEEPER = `<removed: nests more than ${MAX_EVENT_DEPTH} levels>`;
const REMOVAL_NOTE = /^<removed(?:: (?:not JSON|nests \d+ levels, more than the limit \d+|nests more than \d+ levels|holds more than \d+ values, the limit|JSON encoded in text more than \d+ times))?>$/;

/** Whether a member named `key` holds a credential (see secret-names.ts). */
export function isCredentialKey(key: string): boolean {
  return classifyName(key) !== 'plain';
}

/**
 * Removes credentials from an event before it rests anywhere (queue, dead-letter store, archive):
 * every member, at any depth, through JSON held in strings (also encoded twice), arrays, config
 * maps of lists and name/value pairs; what counts as a credential is listed, with its Keycloak
 * source, in docs/secrets-in-events.md. An admin event's `representation` that is not JSON is
 * replaced whole ({@link REMOVED_NOT_JSON}), one nesting too deep by {@link removedTooDeep}.
 * Returns the same object when nothing was found, a copy otherwise (the input is never changed).
 */
export function scrubCredentials<Event extends MpasEvent>(event: Event): Event {
  return scrubTree(event, 'plain', 0, true).value as Event;
}

/**
 * The same for an element of a page that is no valid event (it goes to the dead-letter store,
 * see rejected-event.ts): whatever its shape, nothing secret in it survives.
 */
export function scrubUntrusted(element: Record<string, unknown>): Record<string, unknown> {
  return scrubTree(element, 'plain', 0, true).value as Record<string, unknown>;
}

type Container = Record<string, unknown> | unknown[];

interface Frame {
  readonly source: Container;
  /** The member names of an object, undefined for an array. */
  readonly keys: readonly string[] | undefined;
  readonly mode: NameClass;
  /**
   * Whether the object names a secret by a member (`{"name": "password", "value": ...}`); found
   * out when a `value` member is met, as most objects have none.
   */
  pairValueIsSecret: boolean | undefined;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly slot: string | number;
  index: number;
  copy: Container | undefined;
}

interface WalkResult {
  value: unknown;
  tooLarge: boolean;
}

/**
 * Walks a tree without recursion (an explicit stack), copying only the containers whose content
 * changes. `layer` counts the strings of JSON this tree sits in; `isEvent` marks the event itself,
 * whose `representation` member is JSON by Keycloak's contract.
 */
function scrubTree(root: unknown, rootMode: NameClass, layer: number, isEvent: boolean): WalkResult {
  if (root === null || typeof root !== 'object') return { value: scrubLeaf(root, rootMode, layer), tooLarge: false };
  let values = 0;
  let tooLarge = false;
  let result: unknown = root;
  const stack: Frame[] = [frameOf(root as Container, rootMode, 1, undefined, '')];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const length = frame.keys ? frame.keys.length : (frame.source as unknown[]).length;
    if (frame.index >= length) {
      stack.pop();
      const done = frame.copy ?? frame.source;
      if (frame.parent === undefined) result = done;
      else if (done !== frame.source) setChild(frame.parent, frame.slot, done);
      continue;
    }
    const slot = frame.keys ? (frame.keys[frame.index] as string) : frame.index;
    frame.index += 1;
    const child = (frame.source as Record<string | number, unknown>)[slot];
    values += 1;
    if (values > MAX_SCRUB_VALUES) {
      tooLarge = true;
      if (child !== null && typeof child === 'object') setChild(frame, slot, removedTooLarge());
      else if (typeof child === 'string') setChild(frame, slot, REMOVED);
      continue;
    }
    const mode = childMode(frame, slot);
    if (child === null || typeof child !== 'object') {
      const scrubbed =
        isEvent && frame.parent === undefined && slot === 'representation' && typeof child === 'string'
          ? scrubRepresentation(child)
          : scrubLeaf(child, mode, layer);
      if (scrubbed !== child) setChild(frame, slot, scrubbed);
    } else if (frame.depth >= MAX_EVENT_DEPTH) {
      setChild(frame, slot, REMOVED_DEEPER);
    } else {
      stack.push(frameOf(child as Container, mode, frame.depth + 1, frame, slot));
    }
  }
  return { value: result, tooLarge };
}

function frameOf(source: Container, mode: NameClass, depth: number, parent: Frame | undefined, slot: string | number): Frame {
  const keys = Array.isArray(source) ? undefined : Object.keys(source);
  return { source, keys, mode, pairValueIsSecret: undefined, depth, parent, slot, index: 0, copy: undefined };
}

/** Whether a `name`, `key`, `type` ... member of the object names a secret, so its `value` is one. */
function namesASecret(object: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) {
    if (!memberName(key).pairName) continue;
    const name = object[key];
    // Longer texts are no names; they would only fill the name cache.
    if (typeof name === 'string' && name.length <= 128 && classifyName(name) !== 'plain') return true;
  }
  return false;
}

function childMode(frame: Frame, slot: string | number): NameClass {
  if (frame.mode === 'secret') return 'secret';
  if (typeof slot === 'number') return frame.mode;
  const member = memberName(slot);
  if (member.nameClass !== 'plain') return member.nameClass;
  if (!member.pairValue) return 'plain';
  if (frame.mode === 'credentials') return 'secret';
  frame.pairValueIsSecret ??= namesASecret(frame.source as Record<string, unknown>, frame.keys ?? []);
  return frame.pairValueIsSecret ? 'secret' : 'plain';
}

function setChild(frame: Frame, slot: string | number, value: unknown): void {
  if (frame.copy === undefined) frame.copy = Array.isArray(frame.source) ? frame.source.slice() : copyObject(frame.source);
  if (typeof slot === 'number') (frame.copy as unknown[])[slot] = value;
  // defineProperty, not assignment: a JSON key "__proto__" must stay an own member.
  else Object.defineProperty(frame.copy, slot, { value, enumerable: true, writable: true, configurable: true });
}

function copyObject(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    Object.defineProperty(copy, key, { value: object[key], enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Booleans, numbers and nulls carry no secret (`resetPasswordAllowed: true` stays readable). */
function scrubLeaf(value: unknown, mode: NameClass, layer: number): unknown {
  if (typeof value !== 'string') return value;
  if (mode !== 'plain') return holdsNoSecret(value) ? value : REMOVED;
  return scrubString(value, layer);
}

/**
 * A string where no name says it is secret: JSON in it is walked (and written back compactly
 * when something was removed), a JSON string in it (JSON encoded twice) is unwrapped, anything
 * else is free text (secret-text.ts).
 */
function scrubString(text: string, layer: number): string {
  const first = text.charCodeAt(firstSignificant(text));
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    const last = text.charCodeAt(lastSignificant(text));
    if (last === CLOSE_BRACE || last === CLOSE_BRACKET) return scrubJsonText(text, layer) ?? scrubText(text);
  } else if (first === QUOTE && text.charCodeAt(lastSignificant(text)) === QUOTE) {
    return scrubJsonText(text, layer) ?? scrubText(text);
  }
  return scrubText(text);
}

/** The scrubbed text of JSON in a string; undefined when it is not JSON. */
function scrubJsonText(text: string, layer: number): string | undefined {
  if (layer >= MAX_JSON_LAYERS) return REMOVED_TOO_MANY_LAYERS;
  // Measured before JSON.parse, the walk or JSON.stringify meet it.
  const depth = jsonTextDepth(text);
  if (depth > MAX_EVENT_DEPTH) return removedTooDeep(depth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed === 'string') {
    const inner = scrubString(parsed, layer + 1);
    // The note replaces the whole text, not its innermost layer wrapped in quotes again.
    if (inner === REMOVED_TOO_MANY_LAYERS) return inner;
    return inner === parsed ? text : JSON.stringify(inner);
  }
  const { value, tooLarge } = scrubTree(parsed, 'plain', layer + 1, false);
  if (tooLarge) return removedTooLarge();
  return value === parsed ? text : JSON.stringify(value);
}

/**
 * Keycloak writes the admin request body into `representation` as JSON (AdminEventBuilder); a
 * text that is not JSON could hide a secret anywhere in it, so it is replaced whole.
 */
function scrubRepresentation(text: string): string {
  if (text.trim().length === 0 || REMOVAL_NOTE.test(text)) return text;
  return scrubJsonText(text, 0) ?? REMOVED_NOT_JSON;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;

function isWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function firstSignificant(text: string): number {
  let index = 0;
  while (index < text.length && isWhiteSpace(text.charCodeAt(index))) index += 1;
  return index;
}

function lastSignificant(text: string): number {
  let index = text.length - 1;
  while (index > 0 && isWhiteSpace(text.charCodeAt(index))) index -= 1;
  return index;
}
