import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeReadError } from './read-config-file.js';

/** A config path: keys, and list indices as numbers. */
export type ConfigPath = ReadonlyArray<string | number>;

/** One problem found by building what the configuration describes, at its place in the config. */
export interface PathProblem {
  path: ConfigPath;
  message: string;
}

/** The CA bundle must be readable and hold certificates that parse, as TLS will need them. */
export function caFileProblems(file: unknown, path: ConfigPath): PathProblem[] {
  if (typeof file !== 'string' || file === '') return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return [{ path, message: `cannot be read (${describeReadError(error)}): ${file}` }];
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return [{ path, message: `holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${file}` }];
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return [{ path, message: `certificate ${index + 1} of ${blocks.length} in ${file} does not parse (${(error as Error).message})` }];
    }
  }
  return [];
}
