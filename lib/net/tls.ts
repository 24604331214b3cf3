import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from './undici-core.js';

/** A private CA file that cannot serve: `problem` says why, without naming the setting (the caller does). */
export class CaFileError extends Error {
  constructor(
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(problem, options);
    this.name = 'CaFileError';
  }
}

/**
 * The PEM text of a private CA file.
 * @throws CaFileError when the file cannot be read (its error as `cause`) or holds no certificate.
 */
export function readCaPem(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CaFileError(`cannot read ${path} (${code})`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new CaFileError(`${path} holds no PEM certificate`);
  return pem;
}

/** Settings of a connection pool; undici's defaults for what is left out. */
export interface AgentSettings {
  /** PEM text of a private CA (see readCaPem), trusted in addition to the public roots. */
  caPem?: string | undefined;
  /** Sockets to the server at most. */
  connections?: number;
  /** Connect (TCP + TLS handshake) timeout. */
  connectTimeoutMs?: number;
  /** How long an idle socket is kept for the next request. */
  keepAliveTimeoutMs?: number;
}

/**
 * An undici Agent, for the MPAS client and every sink. Certificates are always checked: a
 * private CA is added to the trusted roots, never a reason to turn verification off.
 */
export function createAgent(settings: AgentSettings): Agent {
  return new Agent({
    ...(settings.connections !== undefined ? { connections: settings.connections } : {}),
    ...(settings.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: settings.keepAliveTimeoutMs } : {}),
    connect: {
      rejectUnauthorized: true,
      ...(settings.connectTimeoutMs !== undefined ? { timeout: settings.connectTimeoutMs } : {}),
      ...(settings.caPem !== undefined ? { ca: [...rootCertificates, settings.caPem] } : {}),
    },
  });
}
