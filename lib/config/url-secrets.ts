import { SECRET_MASK } from './secret-registry.js';

/**
 * Query parameters whose value is a credential by their name: `token`, `access_token`,
 * `api-key`, `apikey`, `key`, `sig`, `signature`, `X-Amz-Signature`, `X-Amz-Credential`,
 * `X-Amz-Security-Token`, `code`, `password`, `secret`, `client_secret`, `auth`, `session`...
 * Matched after dropping case, `-`, `_` and `.`; a harmless parameter hidden by mistake costs less
 * than a key shown.
 */
const SECRET_QUERY_NAME = /token|key|sig|secret|pass|pwd|code|auth|credential|session|assertion|jwt/;

/** True when a URL query parameter (or form field) named `name` carries a credential. */
export function isSecretQueryName(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape is judged as written.
  }
  return SECRET_QUERY_NAME.test(decoded.toLowerCase().replace(/[-_.\s]/g, ''));
}

/**
 * A Sumo Logic HTTP Source URL holds the source's token as its last path segment
 * (`/receiver/v1/http/<token>`, docs/siems.md): that segment is a secret wherever it shows.
 */
const SUMO_SOURCE_TOKEN = /(\/receiver\/v1\/http\/)([^/?#\s"'<>]+)/gi;

/** `name=value` in a query string (or a form body), up to the next separator. */
const QUERY_PARAMETER = /([?&;])([^=&#\s"'?;<>]+)=([^&#\s"';<>]*)/g;

/**
 * Hides what a URL in `text` carries as a credential: its user info (`https://***@host/`), the
 * value of each secret-looking query parameter (`?api-key=***`) and a Sumo Logic source token
 * in the path (`/receiver/v1/http/***`). User info is hidden up to the last `@` of the value,
 * because an operator may have left an `@`, `/` or space of the password unencoded; hiding a
 * little too much of an odd URL is the safe mistake.
 */
export function hideUrlSecrets(text: string): string {
  return (
    text
      .replace(/\/\/[\s\S]*@/g, `//${SECRET_MASK}@`)
      // WHATWG URLs of these schemes need no slashes before the user info (`https:user:pw@host`).
      .replace(/\b(https?|wss?|ftp):(?!\/\/)[\s\S]*@/gi, `$1://${SECRET_MASK}@`)
      .replace(QUERY_PARAMETER, (whole, separator: string, name: string, value: string) =>
        value !== '' && isSecretQueryName(name) ? `${separator}${name}=${SECRET_MASK}` : whole,
      )
      .replace(SUMO_SOURCE_TOKEN, `$1${SECRET_MASK}`)
  );
}

/**
 * The credentials a URL carries (as {@link hideUrlSecrets} finds them), as written and decoded,
 * so that a server's answer or an error quoting them can be cleaned by value.
 */
export function urlSecretParts(text: string): string[] {
  const parts = new Set<string>();
  const addBoth = (raw: string): void => {
    if (raw === '') return;
    parts.add(raw);
    try {
      parts.add(decodeURIComponent(raw.replace(/\+/g, ' ')));
    } catch {
      // Not an escape sequence: the raw form is all there is.
    }
  };
  const userInfo = /\/\/([^/?#\s]*)@/.exec(text)?.[1];
  if (userInfo !== undefined) {
    addBoth(userInfo);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) addBoth(userInfo.slice(colon + 1));
  }
  for (const [, , name, value] of text.matchAll(QUERY_PARAMETER)) if (name !== undefined && value !== undefined && isSecretQueryName(name)) addBoth(value);
  for (const [, , token] of text.matchAll(SUMO_SOURCE_TOKEN)) if (token !== undefined) addBoth(token);
  return [...parts];
}

