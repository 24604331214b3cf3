import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';

/**
 * The connection pool of the MPAS client when `MPAS_CA_FILE` names a private CA: the CA is
 * trusted beside the public roots, for the token endpoint and the events endpoints alike, and
 * certificates are always checked (a private CA is never a reason to turn verification off).
 * @throws RangeError naming MPAS_CA_FILE when the file cannot be read or holds no certificate.
 */
export function mpasAgentWithCa(caFile: string): Agent {
  return new Agent({ connect: { rejectUnauthorized: true, ca: [...rootCertificates, readMpasCaFile(caFile)] } });
}

function readMpasCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new RangeError(`MPAS_CA_FILE (mpas.caFile): cannot read ${path} (${code})`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new RangeError(`MPAS_CA_FILE (mpas.caFile): ${path} holds no PEM certificate`);
  return pem;
}
