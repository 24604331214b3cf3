import { timingSafeEqual } from 'node:crypto';
import type { AcceptedItem, ItemRejecter, ProtocolAnswer, ProtocolHandler, ProtocolRequest } from './siem-receiver-protocol.js';
import { decodeBody, headerValue } from './siem-receiver-protocol.js';

/** The local Datadog logs intake's settings. */
export interface DatadogReceiverOptions {
  /** The one valid API key (`DD-API-KEY`). */
  apiKey: string;
}

const PATH = '/api/v2/logs';
const RESERVED = ['ddsource', 'service', 'hostname', 'ddtags'];
const MAX_ENTRIES = 1_000;
const MAX_BYTES = 5_000_000;

/**
 * `/api/v2/logs` as Datadog's HTTP intake answers it: 401 without a key, 403 with a wrong
 * one, 400 for a body that is not a JSON object or array of objects (or over 1,000 entries),
 * 413 over 5 MB, else 202 `{}` for the whole request. Stores each entry without its reserved
 * attributes (those go in `meta`): a JSON envelope comes back as it was formatted, and a
 * CEF entry as its `message`.
 */
export function createDatadogHandler(options: DatadogReceiverOptions, rejecter: () => ItemRejecter | undefined): ProtocolHandler {
  const handle = (request: ProtocolRequest): ProtocolAnswer => {
    if (request.method !== 'POST') return ddError(405, 'Method Not Allowed', 'only POST');
    const key = headerValue(request.headers, 'dd-api-key');
    if (key === undefined) return ddError(401, 'Unauthorized', 'API key is missing');
    if (!sameText(key, options.apiKey)) return ddError(403, 'Forbidden', 'API key is invalid');
    const mediaType = (headerValue(request.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') return ddError(400, 'Bad Request', `unsupported content type ${mediaType}`);
    const decoded = decodeBody(request);
    if ('status' in decoded) return ddError(decoded.status, 'Bad Request', decoded.reason);
    if (Buffer.byteLength(decoded.text, 'utf8') > MAX_BYTES) return ddError(413, 'Payload Too Large', `payload over ${MAX_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(decoded.text);
    } catch {
      return ddError(400, 'Bad Request', 'body is not valid JSON');
    }
    const entries = Array.isArray(body) ? body : [body];
    if (entries.length === 0 || entries.length > MAX_ENTRIES) return ddError(400, 'Bad Request', `expected 1 to ${MAX_ENTRIES} log entries, got ${entries.length}`);
    if (!entries.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) return ddError(400, 'Bad Request', 'every log entry must be a JSON object');
    const accepted = entries.map((entry) => toItem(entry as Record<string, unknown>));
    for (const item of accepted) {
      const status = rejecter()?.({ format: item.format, text: item.text, json: item.json, path: request.path });
      if (status !== undefined) return ddError(status, 'Injected', `injected ${status}`);
    }
    return { status: 202, body: '{}', accepted };
  };
  return { serves: (path) => path === PATH, handle };
}

function toItem(entry: Record<string, unknown>): AcceptedItem {
  const meta: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) (RESERVED.includes(name) ? meta : rest)[name] = value;
  const message = rest['message'];
  if (typeof message === 'string' && message.startsWith('CEF:')) return { format: 'cef', text: message, meta: { ...meta, timestamp: rest['timestamp'] } };
  return { format: 'json', text: JSON.stringify(rest), json: rest, meta };
}

function ddError(status: number, title: string, detail: string): ProtocolAnswer {
  return { status, body: JSON.stringify({ errors: [{ status: String(status), title, detail }] }), accepted: [] };
}

// Constant-time, as a real intake compares keys.
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
