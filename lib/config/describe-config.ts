import type { AppConfig } from './app-config-schema.js';
import { isSecretPath } from './config-secrets.js';
import { SECRET_MASK } from './secret-registry.js';
import { hideUrlSecrets } from './url-secrets.js';
import { isPlainObject } from './config-values.js';

/** A JSON-ready copy of the configuration that is safe to print. */
export type DescribedConfig = Readonly<Record<string, unknown>>;

/**
 * A printable copy of the configuration for the start-up log and `check --json`: every value
 * the schema marks secret (passwords, client secrets, tokens, API keys, header values, the
 * hash key, routes included) is replaced by `***`, and so is what a URL carries as a credential
 * (user info, secret-looking query parameters, a Sumo Logic source token), so operators can see
 * what the process runs with and logs stay clean.
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
  return typeof value === 'string' ? hideUrlSecrets(value) : value;
}
