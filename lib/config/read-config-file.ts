import { readFileSync } from 'node:fs';
import { ConfigFileError } from './config-error.js';
import { isPlainObject } from './config-values.js';
import { parseJsonText } from './json-text.js';

/**
 * Reads the JSON config file. Every failure names the file as the caller gave it; none
 * quotes the file's text, which holds secrets.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError(file, `cannot be read (${describeReadError(error)})`, { cause: error });
  }
  // No `cause` here: the parser's own message quotes the text around the error.
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ConfigFileError(file, `is not valid JSON: ${parsed.reason}`);
  if (!isPlainObject(parsed.value)) throw new ConfigFileError(file, 'must hold a JSON object of settings ({ "mpas": ..., "siem": ... })');
  return parsed.value;
}

/** A short, secret-free reason for a failed file access: `no such file`, `permission denied`, ... */
export function describeReadError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return code ?? 'unknown error';
  }
}
