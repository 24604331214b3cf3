import { isSecretPath } from '../config/config-secrets.js';
import { urlSecretParts } from '../config/url-secrets.js';

/**
 * Every secret value a configuration holds, longest first, for hiding them by value in texts
 * a server sent back and in log lines: each value the schema marks secret (passwords, client
 * secrets, tokens, API keys, header values, the hash key, routes included) and each credential
 * a URL carries (user info, secret-looking query parameters, a Sumo Logic source token), each
 * also in the forms it takes when a server echoes it inside a form body or a JSON string.
 */
export function secretValuesOf(config: unknown): string[] {
  const found = new Set<string>();
  const add = (secret: string): void => {
    if (secret.length === 0) return;
    found.add(secret);
    found.add(encodeURIComponent(secret));
    found.add(new URLSearchParams({ s: secret }).toString().slice(2));
    found.add(JSON.stringify(secret).slice(1, -1));
  };
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      if (isSecretPath(path)) add(value);
      else urlSecretParts(value).forEach(add);
      return;
    }
    // A number under a secret's name (a PIN) is as secret as a string.
    if (typeof value === 'number' && isSecretPath(path)) add(String(value));
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) walk(child, [...path, Array.isArray(value) ? Number(key) : key]);
  };
  walk(config, []);
  return [...found].sort((a, b) => b.length - a.length);
}
