import type { AppConfig } from './app-config-schema.js';
import { SECRET_MASK, hideUrlUserInfo, isSecretPath } from './config-secrets.js';
import { isPlainObject } from './config-values.js';

/** A JSON-ready copy of the configuration that is safe to print. */
export type DescribedConfig = Readonly<Record<string, unknown>>;

/**
 * A printable copy of the configuration for the start-up log: every secret (passwords, the
 * client secret, tokens, auth header values, the hash key, and the user info of URLs) is
 * replaced by `***`, so operators can see what the process runs with and logs stay clean.
 */
export function describeConfig(config: AppConfig): DescribedConfig {
  return describeValue(config, []) as DescribedConfig;
}

function describeValue(value: unknown, path: readonly PropertyKey[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => describeValue(item, [...path, index]));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, describeValue(child, [...path, key])]));
  }
  if (value === undefined || value === null) return value;
  // Any value under a secret's name is hidden, whatever its type: a number can be a PIN.
  if (isSecretPath(path)) return SECRET_MASK;
  return typeof value === 'string' ? hideUrlUserInfo(value) : value;
}
