import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { ParsedItem } from './siem-body-parser.js';

/** A request to one of the receiver's product endpoints (HEC, `_bulk`), body read in full. */
export interface ProtocolRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The receiver's body limit, applied to the inflated body too. */
  maxBodyBytes: number;
}

/** One event a product endpoint accepted, with what the product stored beside it. */
export interface AcceptedItem extends ParsedItem {
  /** HEC: `time`, `host`, `source`, `sourcetype`, `index`; `_bulk`: `_index`, `_id`. */
  meta: Record<string, unknown>;
}

/** The answer of a product endpoint, and the events it stored (also when it answers an error). */
export interface ProtocolAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  accepted: AcceptedItem[];
}

/** A product's endpoints inside the receiver. */
export interface ProtocolHandler {
  /** True for the paths this product serves. */
  serves(path: string): boolean;
  handle(request: ProtocolRequest): ProtocolAnswer;
}

/** The generic fault switch (`rejectWhen`), which the product endpoints honour in their own words. */
export type ItemRejecter = (item: ParsedItem & { path: string }) => number | undefined;

/** The body as text: inflated when `Content-Encoding: gzip`; `undefined` when it cannot be read. */
export function decodeBody(request: ProtocolRequest): { text: string } | { status: 400 | 413 | 415; reason: string } {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return { text: request.body.toString('utf8') };
  if (encoding !== 'gzip') return { status: 415, reason: `unsupported content-encoding ${encoding}` };
  try {
    return { text: gunzipSync(request.body, { maxOutputLength: request.maxBodyBytes }).toString('utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { status: 413, reason: `inflated body over ${request.maxBodyBytes} bytes` };
    return { status: 400, reason: 'body is not valid gzip' };
  }
}

/** The first value of a header. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
