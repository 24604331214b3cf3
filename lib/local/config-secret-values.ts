import { isSecretPath } from '../config/config-secrets.js';

/**
 * Every secret value a configuration holds (passwords, client secrets, tokens, header values,
 * at any depth, routes included), longest first, for hiding them in texts a server sent back.
 */
export function secretValuesOf(config: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      if (value.length > 0 && (isSecretPath(path) || isAuthHeaderValue(path))) found.add(value);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(config, []);
  return [...found].sort((a, b) => b.length - a.length);
}

/** `siem.auth.value` of a route (`routes.N.siem.auth.value`): a header's value is its secret. */
function isAuthHeaderValue(path: readonly PropertyKey[]): boolean {
  return path.at(-1) === 'value' && path.at(-2) === 'auth';
}
