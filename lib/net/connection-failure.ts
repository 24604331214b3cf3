/**
 * Codes of a certificate the TLS handshake refused (OpenSSL's verify results as Node names them,
 * and Node's own hostname check): an operator fixes these with `caFile` or the URL's host, never
 * by waiting, so they are named apart from other connection errors.
 */
const TLS_CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|^ERR_TLS_|^ERR_SSL_/;

/**
 * Node 24 appends this advice to an untrusted certificate's message. Left out: the remedy this
 * service documents is its CA file setting, and a cause reads the same on every supported Node.
 */
const NODE_SYSTEM_CA_ADVICE = /; if the root CA is installed locally, try running Node\.js with\s+--use-system-ca$/;

/** What a request that got no response failed on, for a log line an operator can act on. */
export interface ConnectionFailure {
  /** The system or TLS error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`...), when there is one. */
  code?: string;
  /** A short account: "connection refused by 127.0.0.1:8443", "TLS certificate rejected (self-signed certificate)". */
  text: string;
}

interface ErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
}

/**
 * Describes a socket-level failure. `fetch` wraps the socket's error in `cause` (a TypeError
 * "fetch failed"); undici's `request()` throws it as it is: both are read. The text holds what
 * the error says of the peer (address, port, host name), never a URL, header or body.
 */
export function describeConnectionFailure(error: unknown): ConnectionFailure {
  const fields = socketErrorOf(error);
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const peer = typeof fields.address === 'string' && typeof fields.port === 'number' ? `${fields.address}:${fields.port}` : undefined;
  if (code === undefined) return { text: message };
  if (code === 'ECONNREFUSED') return { code, text: peer ? `connection refused by ${peer}` : message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { code, text: typeof fields.hostname === 'string' ? `host name ${fields.hostname} not found (DNS)` : message };
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return { code, text: `connection closed by the server${peer ? ` ${peer}` : ''} (${message})` };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return { code, text: `no connection established in time (${message})` };
  if (TLS_CERTIFICATE_CODE.test(code)) return { code, text: `TLS certificate rejected (${message.replace(NODE_SYSTEM_CA_ADVICE, '')})` };
  return { code, text: message };
}

/**
 * Why a request got no response, for a reason an operator can act on: its timeout and length
 * (the server may still store what it got: a retry can be a copy), or the connection's error code
 * with what it means (refused by host:port, the TLS certificate code, a host name not found).
 */
export function describeNoResponse(error: unknown, timedOut: boolean, timeoutMs?: number): string {
  if (timedOut) return `timeout: no complete response ${timeoutMs === undefined ? 'in time' : `within ${timeoutMs} ms`}`;
  const { code, text } = describeConnectionFailure(error);
  return `connection error${code ? ` ${code}` : ''}: ${text}`;
}

/** The error that carries the socket's code: the error itself, or the `cause` fetch wraps it in. */
function socketErrorOf(error: unknown): ErrorFields {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const outer = error as ErrorFields & { cause?: unknown };
  if (outer.code === undefined && typeof outer.cause === 'object' && outer.cause !== null && (outer.cause as ErrorFields).code !== undefined) {
    return outer.cause as ErrorFields;
  }
  return outer;
}
