import type { Agent } from 'undici';
import { CaFileError, createAgent, readCaPem } from '../../net/tls.js';

/**
 * The connection pool of the MPAS client when `MPAS_CA_FILE` names a private CA: the CA is
 * trusted beside the public roots, for the token endpoint and the events endpoints alike (see
 * createAgent).
 * @throws RangeError naming MPAS_CA_FILE when the file cannot be read or holds no certificate.
 */
export function mpasAgentWithCa(caFile: string): Agent {
  try {
    return createAgent({ caPem: readCaPem(caFile) });
  } catch (error) {
    if (!(error instanceof CaFileError)) throw error;
    throw new RangeError(`MPAS_CA_FILE (mpas.caFile): ${error.problem}`, error.cause === undefined ? undefined : { cause: error.cause });
  }
}
