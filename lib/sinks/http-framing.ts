import type { HttpBatchMode } from './https-sink-options.js';

/** A request body before compression, with its content type. */
export interface FramedBody {
  body: string;
  contentType: string;
}

/** Limits on one request (Vector's `batch` block). */
export interface BatchLimits {
  batch: HttpBatchMode;
  maxBatchEvents: number;
  maxBatchBytes: number;
}

/**
 * The body for a group of payloads. `single` takes exactly one payload, sent as it is; `array`
 * sends JSON documents themselves (already JSON text, so no parse) or CEF lines as JSON strings;
 * `ndjson` joins the payloads with newlines (CEF lines so joined are sent as text/plain).
 */
export function frameBody(payloads: readonly string[], batch: HttpBatchMode, format: 'json' | 'cef'): FramedBody {
  switch (batch) {
    case 'single':
      if (payloads.length !== 1) throw new RangeError(`single framing takes one payload, got ${payloads.length}`);
      return { body: payloads[0]!, contentType: format === 'json' ? 'application/json' : 'text/plain; charset=utf-8' };
    case 'array': {
      const items = format === 'json' ? payloads : payloads.map((line) => JSON.stringify(line));
      return { body: '[' + items.join(',') + ']', contentType: 'application/json' };
    }
    case 'ndjson':
      // Newline-delimited CEF lines are plain text, not JSON: say so, or a collector parses them as JSON.
      return { body: payloads.join('\n'), contentType: format === 'json' ? 'application/x-ndjson' : 'text/plain; charset=utf-8' };
  }
}

/** A request body encoded as UTF-8, ready to send or compress. */
export interface FramedBytes {
  body: Buffer;
  contentType: string;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * `frameBody` encoded as UTF-8: the same bytes as `Buffer.from(frameBody(...).body)`, written
 * straight into one buffer. Joining first costs a copy, and a single non-ASCII payload turns the
 * joined text into two-byte characters that are slow to join and to encode again.
 */
export function frameBodyBytes(payloads: readonly string[], batch: HttpBatchMode, format: 'json' | 'cef', knownBytes?: number): FramedBytes {
  if (batch === 'single') {
    const framed = frameBody(payloads, batch, format);
    return { body: Buffer.from(framed.body, 'utf8'), contentType: framed.contentType };
  }
  const items = batch === 'array' && format === 'cef' ? payloads.map((line) => JSON.stringify(line)) : payloads;
  const array = batch === 'array';
  const contentType = array ? 'application/json' : format === 'json' ? 'application/x-ndjson' : 'text/plain; charset=utf-8';
  // The plan already measured each payload (`planRequestBodies`): measuring again costs a second
  // pass over every byte. A size that does not match what was written is measured afresh.
  if (knownBytes !== undefined) {
    const body = writeItems(items, array, knownBytes);
    if (body !== undefined) return { body, contentType };
  }
  // Brackets for an array, and one separator between each two items.
  let size = (array ? 2 : 0) + Math.max(0, items.length - 1);
  for (const item of items) size += Buffer.byteLength(item, 'utf8');
  return { body: writeItems(items, array, size)!, contentType };
}

/** The items framed into `size` bytes; undefined when they take more or fewer. */
function writeItems(items: readonly string[], array: boolean, size: number): Buffer | undefined {
  // Four spare bytes (the longest UTF-8 character): text longer than `size` then always runs past
  // it, where `write` would otherwise stop silently before a character that does not fit.
  const body = Buffer.allocUnsafe(size + 4);
  let offset = 0;
  if (array) body[offset++] = OPEN_BRACKET;
  for (let index = 0; index < items.length; index += 1) {
    if (index > 0) body[offset++] = array ? COMMA : NEWLINE;
    if (offset > size) return undefined;
    offset += body.write(items[index]!, offset, 'utf8');
  }
  if (array) body[offset++] = CLOSE_BRACKET;
  return offset === size ? body.subarray(0, size) : undefined;
}

/** The framed size of one payload plus its separator, in UTF-8 bytes. */
function framedBytes(payload: string, batch: HttpBatchMode, format: 'json' | 'cef'): number {
  const text = batch === 'array' && format === 'cef' ? JSON.stringify(payload) : payload;
  return Buffer.byteLength(text, 'utf8') + 1;
}

/** One planned request: indices into the payloads, and the exact size of its framed body. */
export interface PlannedRequest {
  indices: number[];
  bytes: number;
}

/**
 * Splits events into requests, in order: each request holds at most `maxBatchEvents` events and
 * `maxBatchBytes` body bytes, except that an event larger than the byte limit goes alone (the
 * SIEM then decides; a 413 drops it). Returns groups of indices into `payloads`.
 */
export function planRequests(payloads: readonly string[], limits: BatchLimits, format: 'json' | 'cef'): number[][] {
  return planRequestBodies(payloads, limits, format).map(({ indices }) => indices);
}

/** `planRequests` with each request's body size, for `frameBodyBytes` to use rather than measure again. */
export function planRequestBodies(payloads: readonly string[], limits: BatchLimits, format: 'json' | 'cef'): PlannedRequest[] {
  if (limits.batch === 'single') return payloads.map((payload, index) => ({ indices: [index], bytes: Buffer.byteLength(payload, 'utf8') }));
  const groups: PlannedRequest[] = [];
  let current: number[] = [];
  // Each event counts one separator byte; the start corrects the total to the exact body size:
  // an array adds `[` (and its last "separator" is `]`), NDJSON has one separator fewer than lines.
  let bytes = limits.batch === 'array' ? 1 : -1;
  const start = bytes;
  for (let index = 0; index < payloads.length; index += 1) {
    const size = framedBytes(payloads[index]!, limits.batch, format);
    const full = current.length >= limits.maxBatchEvents || (current.length > 0 && bytes + size > limits.maxBatchBytes);
    if (full) {
      groups.push({ indices: current, bytes });
      current = [];
      bytes = start;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) groups.push({ indices: current, bytes });
  return groups;
}
