/** What a secret is replaced by wherever configuration is shown. */
export const SECRET_MASK = '***';

/** Config paths whose values are secrets though their key names do not say so. */
const SECRET_PATHS = new Set(['siem.auth.value']);

/**
 * Key names that hold secrets wherever they sit, so that a SIEM type added later (a Splunk
 * HEC `token`, a Datadog `apiKey`) is hidden without anyone remembering to list it here.
 */
const SECRET_KEY = /password|secret|token|apikey|api_key|hashkey/i;

/** The parts of the config that hold secrets beside harmless fields. */
const SECRET_HOLDERS = ['mpas.credentials', 'siem.auth'];

/** Fields of those parts that may be quoted in an error message. */
const QUOTABLE_IN_HOLDERS = new Set([
  'mpas.credentials.grant',
  'mpas.credentials.clientId',
  'mpas.credentials.username',
  'siem.auth.kind',
  'siem.auth.name',
  'siem.auth.username',
]);

/** A config path in dotted form; list indices count as keys. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** True when the value at `path` is a secret (password, client secret, token, header value, hash key). */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  if (SECRET_PATHS.has(dotted(path))) return true;
  return path.some((key) => typeof key === 'string' && SECRET_KEY.test(key));
}

/**
 * True when a bad value at `path` may be quoted in an error message. Stricter than
 * {@link isSecretPath}: inside credentials, a value in the wrong place (a password written
 * where the grant belongs) is still a password, so only the known harmless fields are quoted.
 */
export function mayQuote(path: readonly PropertyKey[]): boolean {
  if (isSecretPath(path)) return false;
  const name = dotted(path);
  const holder = SECRET_HOLDERS.find((prefix) => name === prefix || name.startsWith(prefix + '.'));
  return holder === undefined || QUOTABLE_IN_HOLDERS.has(name);
}

/**
 * Hides the user info of URLs in `text` (`https://***@host/`): it may hold a password. Up to
 * the last `@` of the value, because an operator may have left an `@`, `/` or space of the
 * password unencoded; hiding a little too much of an odd URL is the safe mistake.
 */
export function hideUrlUserInfo(text: string): string {
  return (
    text
      .replace(/\/\/[\s\S]*@/g, `//${SECRET_MASK}@`)
      // WHATWG URLs of these schemes need no slashes before the user info (`https:user:pw@host`).
      .replace(/\b(https?|wss?|ftp):(?!\/\/)[\s\S]*@/gi, `$1://${SECRET_MASK}@`)
  );
}
