import { formatKind } from '../core/formats/format-registry.js';
import type { FormatName } from '../core/formats/format-registry.js';
import type { BodyBufferPool } from './body-buffer-pool.js';

/** How payloads are framed into request bodies (the generic HTTPS sink's `batch` setting). */
export type HttpBatchMode = 'single' | 'array' | 'ndjson';

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
 * sends JSON documents themselves (already JSON text, so no parse) or lines (CEF) as JSON strings;
 * `ndjson` joins the payloads with newlines (lines so joined are sent as text/plain). The format
 * is read only for its kind (format-registry.ts).
 */
export function frameBody(payloads: readonly string[], batch: HttpBatchMode, format: FormatName): FramedBody {
  switch (batch) {
    case 'single':
      if (payloads.length !== 1) throw new RangeError(`single framing takes one payload, got ${payloads.length}`);
      return { body: payloads[0]!, contentType: formatKind(format) === 'document' ? 'application/json' : 'text/plain; charset=utf-8' };
    case 'array': {
      const items = formatKind(format) === 'document' ? payloads : payloads.map((line) => JSON.stringify(line));
      return { body: '[' + items.join(',') + ']', contentType: 'application/json' };
    }
    case 'ndjson':
      // Newline-delimited CEF lines are plain text, not JSON: say so, or a collector parses them as JSON.
      return { body: payloads.join('\n'), contentType: formatKind(format) === 'document' ? 'application/x-ndjson' : 'text/plain; charset=utf-8' };
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
 * joined text into two-byte characters that are slow to join and to encode again. With a
 * `pool`, an array or NDJSON body is written into one of its buffers (give it back when done).
 */
export function frameBodyBytes(
  payloads: readonly string[],
  batch: HttpBatchMode,
  format: FormatName,
  maxBytes?: number,
  pool?: BodyBufferPool,
): FramedBytes {
  if (batch === 'single') {
    const framed = frameBody(payloads, batch, format);
    return { body: Buffer.from(framed.body, 'utf8'), contentType: framed.contentType };
  }
  const items = batch === 'array' && formatKind(format) === 'line' ? payloads.map((line) => JSON.stringify(line)) : payloads;
  const array = batch === 'array';
  const contentType = array ? 'application/json' : formatKind(format) === 'document' ? 'application/x-ndjson' : 'text/plain; charset=utf-8';
  // The plan's bound (`planRequestBodies`) saves measuring every payload before writing it, a
  // second pass over every byte. A bound the body does not fit is measured afresh.
  if (maxBytes !== undefined) {
    const body = writeItems(items, array, maxBytes, pool);
    if (body !== undefined) return { body, contentType };
  }
  // Brackets for an array, and one separator between each two items.
  let size = (array ? 2 : 0) + Math.max(0, items.length - 1);
  for (const item of items) size += Buffer.byteLength(item, 'utf8');
  return { body: writeItems(items, array, size, pool)!, contentType };
}

/** The items framed into at most `maxBytes` bytes; undefined when they take more. */
function writeItems(items: readonly string[], array: boolean, maxBytes: number, pool: BodyBufferPool | undefined): Buffer | undefined {
  // Four spare bytes (the longest UTF-8 character): text longer than `maxBytes` then always runs
  // past it, where `write` would otherwise stop silently before a character that does not fit.
  const body = pool ? pool.take(maxBytes + 4) : Buffer.allocUnsafe(maxBytes + 4);
  let offset = 0;
  if (array) body[offset++] = OPEN_BRACKET;
  for (let index = 0; index < items.length; index += 1) {
    if (index > 0) body[offset++] = array ? COMMA : NEWLINE;
    if (offset > maxBytes) break;
    offset += body.write(items[index]!, offset, 'utf8');
  }
  if (array && offset <= maxBytes) body[offset++] = CLOSE_BRACKET;
  if (offset <= maxBytes) return body.subarray(0, offset);
  pool?.giveBack(body);
  return undefined;
}

/**
 * The payloads whose body alone would weigh more than `maxBatchBytes`, with that weight: no
 * request may carry them. A payload is measured only when its bound (three bytes per UTF-16
 * unit, plus an array's brackets) passes the limit.
 */
export function oversizedPayloads(payloads: readonly string[], limits: Pick<BatchLimits, 'batch' | 'maxBatchBytes'>, format: FormatName): Array<{ index: number; bytes: number }> {
  const oversized: Array<{ index: number; bytes: number }> = [];
  for (let index = 0; index < payloads.length; index += 1) {
    const payload = payloads[index]!;
    if (payload.length * 3 + 2 <= limits.maxBatchBytes) continue;
    // framedBytes counts one separator: an array's alone is its `]` (plus `[`), NDJSON's and a single's nothing.
    const bytes = framedBytes(payload, limits.batch, format) + (limits.batch === 'array' ? 1 : -1);
    if (bytes > limits.maxBatchBytes) oversized.push({ index, bytes });
  }
  return oversized;
}

/** The framed size of one payload plus its separator, in UTF-8 bytes. */
function framedBytes(payload: string, batch: HttpBatchMode, format: FormatName): number {
  const text = batch === 'array' && formatKind(format) === 'line' ? JSON.stringify(payload) : payload;
  return Buffer.byteLength(text, 'utf8') + 1;
}

/**
 * One planned request: indices into the payloads, and a bound on its framed body's size (exact
 * where the plan had to measure), for `frameBodyBytes` to write into without measuring.
 */
export interface PlannedRequest {
  indices: number[];
  maxBytes: number;
}

/**
 * Splits events into requests, in order: each request holds at most `maxBatchEvents` events and
 * `maxBatchBytes` body bytes, except that an event larger than the byte limit goes alone (the
 * sink holds such events back first, see `oversizedPayloads`). Returns groups of indices into `payloads`.
 */
export function planRequests(payloads: readonly string[], limits: BatchLimits, format: FormatName): number[][] {
  return planRequestBodies(payloads, limits, format).map(({ indices }) => indices);
}

/**
 * `planRequests` with a bound on each request's body size. A payload counts three bytes per
 * UTF-16 unit (no character takes more in UTF-8) until a request's bound would pass the byte
 * limit; only then are its payloads measured, so the requests are the same as with exact sizes
 * and a request that is cut by its event count measures nothing.
 */
export function planRequestBodies(payloads: readonly string[], limits: BatchLimits, format: FormatName): PlannedRequest[] {
  // A single payload is sent as it is and encoded whole: its bound is the bound, never measured.
  if (limits.batch === 'single') return payloads.map((payload, index) => ({ indices: [index], maxBytes: payload.length * 3 }));
  // CEF lines in an array are sent as JSON strings, whose escapes have no simple bound: measured.
  const measureAll = limits.batch === 'array' && formatKind(format) === 'line';
  const groups: PlannedRequest[] = [];
  let current: number[] = [];
  // Each event counts one separator byte; the start corrects the total to the exact body size:
  // an array adds `[` (and its last "separator" is `]`), NDJSON has one separator fewer than lines.
  const start = limits.batch === 'array' ? 1 : -1;
  let bytes = start;
  let exact = true;
  for (let index = 0; index < payloads.length; index += 1) {
    const payload = payloads[index]!;
    let size = measureAll ? framedBytes(payload, limits.batch, format) : payload.length * 3 + 1;
    let sizeExact = measureAll;
    if (current.length > 0 && current.length < limits.maxBatchEvents && bytes + size > limits.maxBatchBytes) {
      // The bound is too loose to decide: measure this request's payloads (each once) and this one.
      if (!exact) {
        bytes = start;
        for (const earlier of current) bytes += framedBytes(payloads[earlier]!, limits.batch, format);
        exact = true;
      }
      size = framedBytes(payload, limits.batch, format);
      sizeExact = true;
    }
    const full = current.length >= limits.maxBatchEvents || (current.length > 0 && bytes + size > limits.maxBatchBytes);
    if (full) {
      groups.push({ indices: current, maxBytes: bytes });
      current = [];
      bytes = start;
      exact = true;
    }
    current.push(index);
    bytes += size;
    if (!sizeExact) exact = false;
  }
  if (current.length > 0) groups.push({ indices: current, maxBytes: bytes });
  return groups;
}
