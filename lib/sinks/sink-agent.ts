import type { Agent } from 'undici';
import { CaFileError, createAgent, readCaPem } from '../net/tls.js';
import { SinkConfigError } from './sink-errors.js';

/** Settings of the connection pool to one SIEM. */
export interface SinkAgentOptions {
  /** PEM file of a private CA, trusted in addition to the public roots. */
  caFile?: string | undefined;
  /** Sockets to the SIEM at most (the sink's concurrency). */
  connections: number;
  /** Connect (TCP + TLS handshake) timeout. */
  connectTimeoutMs: number;
}

/** A sink's Agent (see createAgent), with keep-alive. */
export function createSinkAgent(options: SinkAgentOptions): Agent {
  return createAgent({
    caPem: options.caFile === undefined ? undefined : readSinkCaFile(options.caFile),
    connections: options.connections,
    connectTimeoutMs: options.connectTimeoutMs,
    keepAliveTimeoutMs: 30_000,
  });
}

/** The PEM text of a private CA file; a `SinkConfigError` of `sink` naming `caFile` when it is unusable. */
export function readSinkCaFile(path: string, sink = 'https'): string {
  try {
    return readCaPem(path);
  } catch (error) {
    if (!(error instanceof CaFileError)) throw error;
    throw new SinkConfigError(sink, [{ setting: 'caFile', message: error.problem }], error.cause === undefined ? undefined : { cause: error.cause });
  }
}
