import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../lib/core/time/clock.js';
import type { AcceptedItem, ItemRejecter, ProtocolAnswer, ProtocolHandler, ProtocolRequest } from './siem-receiver-protocol.js';
import { decodeBody, headerValue } from './siem-receiver-protocol.js';

/** The local Entra ID token endpoint's and Logs Ingestion API's settings. */
export interface SentinelReceiverOptions {
  tenantId: string;
  clientId: string;
  /** The one valid client secret. */
  clientSecret: string;
  /** The one data collection rule served (immutable id). */
  dcrImmutableId: string;
  /** Its one input stream. */
  streamName: string;
  /** `expires_in` of the tokens issued; they stop working after it, by the receiver's clock. @default 3599 */
  tokenLifetimeSeconds?: number;
}

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const INGEST_PATH = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/;
const SCOPE = 'https://monitor.azure.com//.default';
const API_VERSIONS = new Set(['2021-11-01-preview', '2023-01-01']);
const MAX_BYTES = 1_048_576;

/**
 * Microsoft Entra ID's `POST /{tenant}/oauth2/v2.0/token` (client credentials, Azure Monitor's
 * scope) and the Logs Ingestion API's `POST /dataCollectionRules/{dcr}/streams/{stream}`,
 * with Azure's rules: api-version required, a live bearer token from this token endpoint
 * (401 otherwise), the DCR (404) and stream (400) must exist, a JSON array of records with
 * `TimeGenerated` (400), 1 MB per call compressed or not (413), then 204. A record comes back
 * as the original service's envelope rebuilt from its columns (`Event`), or its CEF `Message`; the columns
 * go in `meta`.
 */
export function createSentinelHandler(options: SentinelReceiverOptions, clock: Clock, rejecter: () => ItemRejecter | undefined): ProtocolHandler {
  const tokens = new Map<string, number>();
  const lifetime = options.tokenLifetimeSeconds ?? 3599;

  const token = (request: ProtocolRequest, tenant: string): ProtocolAnswer => {
    if (tenant !== options.tenantId) return aadError(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`);
    if (request.method !== 'POST') return aadError(405, 'invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.');
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (form.get('client_id') !== options.clientId) return aadError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`);
    if (!sameText(form.get('client_secret') ?? '', options.clientSecret)) return aadError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    if (form.get('scope') !== SCOPE) return aadError(400, 'invalid_scope', `AADSTS70011: The provided value for the input parameter 'scope' is not valid.`);
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, clock.now() + lifetime * 1000);
    return { status: 200, body: JSON.stringify({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }), accepted: [] };
  };

  const ingest = (request: ProtocolRequest, dcr: string, stream: string): ProtocolAnswer => {
    const version = request.query.get('api-version');
    if (version === null) return apiError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (!API_VERSIONS.has(version)) return apiError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid.`);
    const bearer = /^Bearer (\S+)$/.exec(headerValue(request.headers, 'authorization') ?? '')?.[1];
    const expires = bearer === undefined ? undefined : tokens.get(bearer);
    if (expires === undefined) return apiError(401, 'InvalidAuthenticationToken', 'The access token is missing or invalid.');
    if (clock.now() >= expires) return apiError(401, 'ExpiredAuthenticationToken', 'The access token expired.');
    if (request.method !== 'POST') return apiError(405, 'MethodNotAllowed', 'only POST');
    if (dcr !== options.dcrImmutableId) return apiError(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
    if (stream !== options.streamName) return apiError(400, 'InvalidStream', `Stream '${stream}' does not exist in the data collection rule.`);
    if (request.body.length > MAX_BYTES) return tooLarge(request.body.length);
    const decoded = decodeBody(request);
    if ('status' in decoded) return apiError(decoded.status, 'InvalidContent', decoded.reason);
    const size = Buffer.byteLength(decoded.text, 'utf8');
    if (size > MAX_BYTES) return tooLarge(size);
    let body: unknown;
    try {
      body = JSON.parse(decoded.text);
    } catch {
      return apiError(400, 'InvalidPayload', 'The request body is not valid JSON.');
    }
    if (!Array.isArray(body) || body.length === 0) return apiError(400, 'InvalidPayload', 'The request body must be a non-empty JSON array of records.');
    const records = body as unknown[];
    if (!records.every((record) => typeof record === 'object' && record !== null && !Array.isArray(record) && !Number.isNaN(Date.parse(String((record as Record<string, unknown>)['TimeGenerated']))))) {
      return apiError(400, 'InvalidPayload', 'Every record must be a JSON object with a TimeGenerated date.');
    }
    const accepted = records.map((record) => toItem(record as Record<string, unknown>));
    for (const item of accepted) {
      const status = rejecter()?.({ format: item.format, text: item.text, json: item.json, path: request.path });
      if (status !== undefined) return apiError(status, 'Injected', `injected ${status}`);
    }
    return { status: 204, body: '', accepted };
  };

  return {
    serves: (path) => TOKEN_PATH.test(path) || INGEST_PATH.test(path),
    handle: (request) => {
      const tokenPath = TOKEN_PATH.exec(request.path);
      if (tokenPath) return token(request, decodeURIComponent(tokenPath[1]!));
      const [, dcr, stream] = INGEST_PATH.exec(request.path)!;
      return ingest(request, decodeURIComponent(dcr!), decodeURIComponent(stream!));
    },
  };
}

function toItem(record: Record<string, unknown>): AcceptedItem {
  const { Event: event, Message: message, ...columns } = record;
  if (typeof message === 'string') return { format: message.startsWith('CEF:') ? 'cef' : 'json', text: message, meta: columns };
  const envelope = { timestamp: columns['TimeGenerated'], eventType: columns['EventType'], event };
  return { format: 'json', text: JSON.stringify(envelope), json: envelope, meta: columns };
}

function tooLarge(size: number): ProtocolAnswer {
  return apiError(413, 'ContentLengthLimitExceeded', `Maximum allowed content length: ${MAX_BYTES} bytes (1 MB). Provided content length: ${size} bytes.`);
}

function apiError(status: number, code: string, message: string): ProtocolAnswer {
  return { status, body: JSON.stringify({ error: { code, message } }), accepted: [] };
}

function aadError(status: number, error: string, description: string): ProtocolAnswer {
  return { status, body: JSON.stringify({ error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] }), accepted: [] };
}

// Constant-time, as a real token endpoint compares secrets.
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
