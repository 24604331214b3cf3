import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A key and a certificate for 127.0.0.1 that is its own CA (a local server's TLS, trusted only where a client is told to: a CA file setting). */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
  /** The certificate's PEM file, for settings that take a CA file (MPAS_CA_FILE). */
  certFile: string;
}

/** Writes a fresh P-256 key and a self-signed certificate for IP 127.0.0.1, valid two days, into `dir` (with openssl, which must be on PATH). */
export function selfSignedCertificate(dir: string, commonName: string): SelfSignedCertificate {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
