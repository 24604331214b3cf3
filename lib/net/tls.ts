import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { SinkConfigError } from '../sinks/sink-errors.js';

/** Settings of the connection pool to one SIEM. */
export interface SinkAgentOptions {
  /** PEM file of a private CA, trusted in addition to the public roots. */
  caFile?: string;
  /** Sockets to the SIEM at most (the sink's concurrency). */
  connections: number;
  /** Connect (TCP + TLS handshake) timeout. */
  connectTimeoutMs: number;
}

/**
 * An undici Agent with keep-alive. Certificates are always checked: a private CA is added to the
 * trusted roots, never a reason to turn verification off.
 */
export function createSinkAgent(options: SinkAgentOptions): Agent {
  const ca = options.caFile === undefined ? undefined : [...rootCertificates, readCaFile(options.caFile)];
  return new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    connect: { rejectUnauthorized: true, timeout: options.connectTimeoutMs, ...(ca ? { ca } : {}) },
  });
}

/** The PEM text of a private CA file; a `SinkConfigError` of `sink` naming `caFile` when it is unusable. */
export function readCaFile(path: string, sink = 'https'): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SinkConfigError(sink, [{ setting: 'caFile', message: `cannot read ${path} (${code})` }], { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SinkConfigError(sink, [{ setting: 'caFile', message: `${path} holds no PEM certificate` }]);
  }
  return pem;
}
