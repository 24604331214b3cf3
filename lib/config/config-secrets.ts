import { appConfigSchema, routeConfigSchema } from './app-config-schema.js';
import { isSecretIn, mayQuoteIn, secretMapOf, withRouteCopies as withCopiesIn } from './secret-map.js';
import type { SecretMap } from './secret-map.js';

export { dotted } from './secret-map.js';

/** Where the whole configuration holds secrets (secret-map.ts), read once, when first asked. */
function readSecretMap(): SecretMap {
  return secretMapOf(appConfigSchema, routeSections());
}

/** The sections a route has of its own (`siem`, `redaction`, ...). */
function routeSections(): ReadonlySet<string> {
  return new Set(Object.keys(routeConfigSchema.shape));
}

/**
 * Each config path, and its copy in every route (`routes.*.siem.auth.token`) when a route has
 * that section of its own (`siem`, `redaction`).
 */
export function withRouteCopies(paths: readonly string[]): string[] {
  return withCopiesIn(paths, routeSections());
}

/**
 * The paths the schema declares with `secret()` (the value's type: untrimmed, never echoed), `*`
 * standing for a list index. A test holds them equal to {@link secretPathPatterns}, so a secret
 * declared in the schema without its row in the table, or the reverse, fails at once.
 */
export function schemaSecretPathPatterns(): string[] {
  return readSecretMap().schemaMarks.map((path) => path.join('.'));
}

/** The config paths that hold secrets, `*` standing for a list index, for documentation and tests. */
export function secretPathPatterns(): string[] {
  return readSecretMap().secrets.map((path) => path.join('.'));
}

/**
 * True when the value at `path`, or anything inside it, is a secret: a password, client secret,
 * token, API key, header value or the hash key, as the schema marks them, routes included.
 */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return isSecretIn(readSecretMap(), path);
}

/**
 * True when a bad value at `path` may be quoted in an error message. Stricter than
 * {@link isSecretPath}: inside an object holding a secret, a value in the wrong place (a
 * password written where the grant belongs, or under a misspelt key) is still a password, so
 * only the fields the schema declares there and does not mark secret are quoted.
 */
export function mayQuote(path: readonly PropertyKey[]): boolean {
  return mayQuoteIn(readSecretMap(), path);
}
