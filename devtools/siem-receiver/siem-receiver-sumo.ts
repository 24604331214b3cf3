import { timingSafeEqual } from 'node:crypto';
import type { AcceptedItem, ItemRejecter, ProtocolAnswer, ProtocolHandler, ProtocolRequest } from './siem-receiver-protocol.js';
import { decodeBody, headerValue } from './siem-receiver-protocol.js';

/** The local Sumo Logic HTTP Source's settings. */
export interface SumoReceiverOptions {
  /** The one valid source token (the last part of the source URL). */
  token: string;
}

const PREFIX = '/receiver/v1/http/';
const HEADERS = { category: 'x-sumo-category', name: 'x-sumo-name', host: 'x-sumo-host', fields: 'x-sumo-fields' } as const;

/**
 * `/receiver/v1/http/{token}` as a Sumo Logic HTTP Source answers it: 401 for an unknown
 * token, 400 for an empty body, else 200, storing every non-empty line as one message (a
 * JSON line parsed, a CEF line as text) with the `X-Sumo-*` headers as its metadata.
 */
export function createSumoHandler(options: SumoReceiverOptions, rejecter: () => ItemRejecter | undefined): ProtocolHandler {
  const handle = (request: ProtocolRequest): ProtocolAnswer => {
    if (request.method !== 'POST') return sumoError(405, 'method.not.allowed', 'only POST');
    if (!sameText(tokenOf(request.path), options.token)) return sumoError(401, 'unauthorized', 'the HTTP source was not found or is disabled');
    const decoded = decodeBody(request);
    if ('status' in decoded) return sumoError(decoded.status, 'bad.request', decoded.reason);
    const lines = decoded.text.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
    if (lines.length === 0) return sumoError(400, 'bad.request', 'empty body');
    const meta: Record<string, unknown> = {};
    for (const [name, header] of Object.entries(HEADERS)) {
      const value = headerValue(request.headers, header);
      if (value !== undefined) meta[name] = value;
    }
    const accepted = lines.map((line): AcceptedItem => {
      if (line.startsWith('CEF:')) return { format: 'cef', text: line, meta };
      try {
        return { format: 'json', text: line, json: JSON.parse(line) as unknown, meta };
      } catch {
        // Sumo takes any text; a plain line is kept as it came.
        return { format: 'json', text: line, meta };
      }
    });
    for (const item of accepted) {
      const status = rejecter()?.({ format: item.format, text: item.text, json: item.json, path: PREFIX });
      if (status !== undefined) return sumoError(status, 'injected', `injected ${status}`);
    }
    return { status: 200, body: '', accepted };
  };
  return { serves: (path) => path.startsWith(PREFIX) && path.length > PREFIX.length, handle };
}

function tokenOf(path: string): string {
  try {
    return decodeURIComponent(path.slice(PREFIX.length));
  } catch {
    return '';
  }
}

function sumoError(status: number, code: string, message: string): ProtocolAnswer {
  return { status, body: JSON.stringify({ id: 'LOCAL', code, message }), accepted: [] };
}

// Constant-time, as a real collector compares tokens.
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
