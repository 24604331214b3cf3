import type { BodyBufferPool } from '../body-buffer-pool.js';
import type { HttpBatchMode } from '../http-framing.js';
import type { SinkAuth } from '../http-auth.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import type { SinkConfigProblem } from '../sink-errors.js';
import { SinkConfigError } from '../sink-errors.js';

export type { HttpBatchMode } from '../http-framing.js';

/** Settings of the generic HTTPS sink (Vector's shared `batch`, `request` and `encoding` blocks). */
export interface HttpsSinkOptions extends ProtocolSinkOptions {
  /** `single`: one event per POST; `array`: a JSON array; `ndjson`: payloads joined by `\n`. */
  batch: HttpBatchMode;
  auth: SinkAuth;
  /** Where request bodies are written. @default a pool of `concurrency` buffers of `maxBatchBytes` */
  bodyBuffers?: BodyBufferPool;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Headers the sink sets itself; an auth header with one of these names would corrupt requests.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'host', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks every setting and throws one `SinkConfigError` listing all problems. */
export function validateHttpsSinkOptions(options: HttpsSinkOptions): void {
  const problems: SinkConfigProblem[] = [];
  const problem = (setting: string, message: string) => problems.push({ setting, message });

  checkUrl(options.url, problem);
  if (!['single', 'array', 'ndjson'].includes(options.batch)) problem('batch', `must be single, array or ndjson, got ${JSON.stringify(options.batch)}`);
  if (!['json', 'cef'].includes(options.format)) problem('format', `must be json or cef, got ${JSON.stringify(options.format)}`);
  for (const name of ['timeoutMs', 'concurrency', 'maxBatchEvents', 'maxBatchBytes', 'attempts'] as const) {
    const value = options[name];
    if (!Number.isInteger(value) || value < 1) problem(name, `must be a positive integer, got ${String(value)}`);
  }
  for (const name of ['backoffBaseMs', 'backoffMaxMs'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) problem(name, `must be a number >= 0, got ${String(value)}`);
  }
  checkAuth(options.auth, problem);
  if (problems.length > 0) throw new SinkConfigError('https', problems);
}

function checkUrl(url: string, problem: (setting: string, message: string) => void): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text is not echoed: a mistyped URL may carry a credential.
    problem('url', 'is not a valid URL');
    return;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    problem('url', 'must not carry credentials: use the auth setting');
  } else if (parsed.protocol === 'http:' && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    problem('url', `must use https (http is allowed to a loopback host only), got http://${parsed.host}`);
  } else if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    problem('url', `must use https, got ${parsed.protocol}`);
  }
}

function checkAuth(auth: SinkAuth, problem: (setting: string, message: string) => void): void {
  switch (auth?.kind) {
    case 'none':
      return;
    case 'bearer':
      if (!auth.token) problem('auth.token', 'must not be empty');
      else if (/[\r\n]/.test(auth.token)) problem('auth.token', 'must be one line');
      return;
    case 'header':
      if (!HEADER_NAME.test(auth.name ?? '')) problem('auth.name', `must be an HTTP header name, got ${JSON.stringify(auth.name)}`);
      else if (RESERVED_HEADERS.has(auth.name.toLowerCase())) problem('auth.name', `"${auth.name}" is set by the sink itself`);
      if (!auth.value) problem('auth.value', 'must not be empty');
      else if (/[\r\n]/.test(auth.value)) problem('auth.value', 'must be one line');
      return;
    case 'basic':
      if (!auth.username) problem('auth.username', 'must not be empty');
      else if (auth.username.includes(':')) problem('auth.username', 'must not contain ":" (RFC 7617)');
      if (!auth.password) problem('auth.password', 'must not be empty');
      return;
    default:
      problem('auth.kind', 'must be none, bearer, header or basic');
  }
}
