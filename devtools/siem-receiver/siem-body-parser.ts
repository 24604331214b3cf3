import { gunzipSync } from 'node:zlib';
import { isJsonWhitespace } from '../../lib/sources/mpas/json-array-slices.js';

/** What an event's text is, as a collector tells it from its first characters. */
export type TextFormat = 'json' | 'cef' | 'leef';

/** `cef` or `leef` for a line that starts as one, else undefined. */
export function lineFormat(text: string): 'cef' | 'leef' | undefined {
  return text.startsWith('CEF:') ? 'cef' : text.startsWith('LEEF:') ? 'leef' : undefined;
}

/** One event as a SIEM collector sees it, before it is recorded. */
export interface ParsedItem {
  format: TextFormat;
  /** The event's own text: a JSON document, a CEF line or a LEEF line. */
  text: string;
  /** The parsed document, for `json` items. */
  json?: unknown;
}

/** Why a body was refused, as the HTTP status a collector would answer. */
export class BodyRejection extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'BodyRejection';
  }
}

/**
 * Decodes a request body the way a generic HTTPS collector does: gzip when the request says so,
 * then a single JSON document, a JSON array (of documents or CEF or LEEF strings), NDJSON, or CEF or LEEF lines.
 * Throws `BodyRejection` for anything else.
 */
export function parseSiemBody(raw: Buffer, contentType: string | undefined, contentEncoding: string | undefined, maxBytes: number): ParsedItem[] {
  const bytes = inflate(raw, contentEncoding, maxBytes);
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-ndjson' || mediaType === 'application/jsonl') return parseLines(bytes);
  const trimmed = bytes.toString('utf8').trim();
  if (trimmed.length === 0) throw new BodyRejection(400, 'empty body');
  if (lineFormat(trimmed) !== undefined) return parseTextLines(trimmed);
  if (trimmed.startsWith('[')) return parseArray(trimmed);
  if (trimmed.startsWith('{')) {
    try {
      return [{ format: 'json', text: trimmed, json: JSON.parse(trimmed) }];
    } catch {
      // Several documents on several lines without the NDJSON content type.
      return parseLines(bytes);
    }
  }
  throw new BodyRejection(400, 'body is neither JSON, NDJSON, CEF nor LEEF');
}

function inflate(raw: Buffer, contentEncoding: string | undefined, maxBytes: number): Buffer {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new BodyRejection(415, `unsupported content-encoding ${encoding}`);
  try {
    // The limit applies to the inflated body too: a small gzip can hide a huge one.
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyRejection(413, `inflated body over ${maxBytes} bytes`);
    throw new BodyRejection(400, 'body is not valid gzip');
  }
}

const NEWLINE = 0x0a;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * One item per non-blank line, each line trimmed of JSON whitespace and checked to be JSON.
 * Decoded line by line from the bytes: one string for a whole body of a few hundred KB is a
 * large V8 object in fresh memory, faulted in page by page; the catch-up benchmark's receiver
 * spent more on that than on checking the lines.
 */
function parseLines(bytes: Buffer): ParsedItem[] {
  const items: ParsedItem[] = [];
  let lineStart = bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2] ? 3 : 0;
  while (lineStart < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, lineStart);
    const lineEnd = newline < 0 ? bytes.length : newline;
    let start = lineStart;
    let end = lineEnd;
    while (start < end && isJsonWhitespace(bytes[start]!)) start += 1;
    while (end > start && isJsonWhitespace(bytes[end - 1]!)) end -= 1;
    lineStart = lineEnd + 1;
    if (start === end) continue;
    const line = bytes.toString('utf8', start, end);
    try {
      JSON.parse(line);
    } catch {
      throw new BodyRejection(400, `NDJSON line ${items.length + 1} is not JSON`);
    }
    items.push(lazyJsonItem(line));
  }
  if (items.length === 0) throw new BodyRejection(400, 'empty body');
  return items;
}

const DOCUMENT = Symbol('document');

/**
 * The `json` getter of every lazy item: one function for all, so that V8 gives all of them one
 * shape (a getter closure per item gave each its own, and the receiver's heap grew with them).
 * The document is parsed on first read and kept on the item.
 */
function parseDocumentOnce(this: { text: string; [DOCUMENT]?: unknown }): unknown {
  if (!(DOCUMENT in this)) Object.defineProperty(this, DOCUMENT, { value: JSON.parse(this.text) });
  return this[DOCUMENT];
}

/** How an item whose document is read lazily carries `json`; `receivedItem` copies it as it is. */
const LAZY_JSON: PropertyDescriptor = Object.freeze({ enumerable: true, configurable: true, get: parseDocumentOnce });

/**
 * A JSON item whose document is parsed (again) when first read. The body was checked line by
 * line already; holding only the text keeps a receiver that takes hundreds of thousands of events
 * small, and its garbage collections short (a catch-up benchmark's receiver spent a third less
 * CPU per event so).
 */
function lazyJsonItem(text: string): ParsedItem {
  const item = { format: 'json', text } as ParsedItem;
  Object.defineProperty(item, 'json', LAZY_JSON);
  return item;
}

function parseTextLines(text: string): ParsedItem[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.length > 0)
    .map((line, index) => {
      const format = lineFormat(line);
      if (format === undefined) throw new BodyRejection(400, `line ${index + 1} is not a CEF or LEEF line`);
      return { format, text: line };
    });
}

function parseArray(text: string): ParsedItem[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new BodyRejection(400, 'body is not valid JSON');
  }
  if (!Array.isArray(items) || items.length === 0) throw new BodyRejection(400, 'expected a non-empty JSON array');
  return items.map((item): ParsedItem => {
    const format = typeof item === 'string' ? lineFormat(item) : undefined;
    if (format !== undefined) return { format, text: item as string };
    return { format: 'json', text: JSON.stringify(item), json: item };
  });
}
