import { isSecretParameter, classifyName } from './secret-names.js';

/** What a credential value becomes. */
export const REMOVED = '<removed>';

/** What a text holding a secret-named JSON member it could not be parsed around becomes. */
export const REMOVED_NOT_JSON = '<removed: not JSON>';

/**
 * Values that carry no secret though they stand under a secret name: Keycloak's own mask
 * (`ComponentRepresentation.SECRET_VALUE`) and vault references, which StripSecretsUtils keeps
 * (`maskNonVaultValue`); see docs/secrets-in-events.md.
 */
const KEYCLOAK_MASK = '**********';
const VAULT_REFERENCE = /^\$\{vault\.[^}]+\}$/;

/** Whether `text`, under a secret name, may stay: empty, already removed, masked or a vault reference. */
export function holdsNoSecret(text: string): boolean {
  return text.length === 0 || text === REMOVED || text === KEYCLOAK_MASK || VAULT_REFERENCE.test(text);
}

/**
 * A sign of the secrets scrubText looks for; texts without one (ids, types, names, addresses: most
 * of them) pass at once. One regular expression: measured on the catch-up benchmark's events it
 * costs 83 ns a string, a loop over the characters in JavaScript 150 ns.
 */
const MAY_HOLD_SECRET = /["'=]|eyJ|-----BEGIN|:\/\/[^/\s]*@|bearer|basic|digest|negotiate|ntlm/i;

// `password=...` in a query string, a form body or a log line; the name may be URL-encoded.
const PARAMETER = /(^|[?&;#\s,])([\w.%[\]-]{1,128})=([^&#;\s,"']*)/g;
// `https://user:password@host`.
const URL_USER_INFO = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):([^/\s@]+)@/gi;
// An HTTP Authorization value of at least 16 characters (see looksEncoded).
const AUTHORIZATION_SCHEME = /\b(Bearer|Basic|Digest|Negotiate|NTLM)(\s+)([A-Za-z0-9._~+/-]{16,}=*)/gi;
// A signed (JWS) or encrypted (JWE) JSON Web Token: access, ID, refresh and logout tokens.
const JSON_WEB_TOKEN = /eyJ[\w-]{4,}\.(?:eyJ[\w-]{4,}\.[\w-]*|[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+)/g;
// A PEM private key block, whatever its kind (RSA, EC, ENCRYPTED ...), up to its end or the text's.
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
// A quoted member name followed by a colon, as in JSON, also escaped once or more (`\"password\":`).
const QUOTED_MEMBER = /["']([^"'\\\n]{1,128})\\*["']\s*:/g;

/**
 * Removes the secrets a free text (no JSON) may hold: secret-named `name=value` parameters, URL
 * passwords, Authorization values, JSON Web Tokens and PEM private keys are replaced by REMOVED;
 * a text quoting a secret-named member (`"password": ...`, JSON cut or broken) is replaced whole.
 * Returns the same string when nothing was found.
 */
export function scrubText(text: string): string {
  // Most texts (ids, types, names, addresses) hold none of the signs below: one scan lets them pass.
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let result = text;
  if (result.includes('"') || result.includes("'")) {
    for (const match of result.matchAll(QUOTED_MEMBER)) {
      if (classifyName(match[1] ?? '') !== 'plain') return REMOVED_NOT_JSON;
    }
  }
  if (result.includes('-----BEGIN')) result = result.replace(PEM_PRIVATE_KEY, REMOVED);
  if (result.includes('eyJ')) result = result.replace(JSON_WEB_TOKEN, REMOVED);
  if (result.includes('=')) result = result.replace(PARAMETER, replaceParameter);
  if (result.includes('@') && result.includes('://')) result = result.replace(URL_USER_INFO, `$1:${REMOVED}@`);
  if (/bearer|basic|digest|negotiate|ntlm/i.test(result)) result = result.replace(AUTHORIZATION_SCHEME, replaceAuthorization);
  return result === text ? text : result;
}

function replaceParameter(match: string, before: string, name: string, value: string): string {
  if (value.length === 0 || value === REMOVED || !isSecretParameter(decodedName(name))) return match;
  return `${before}${name}=${REMOVED}`;
}

function replaceAuthorization(match: string, scheme: string, space: string, value: string): string {
  return scheme.toLowerCase() === 'bearer' || looksEncoded(value) ? `${scheme}${space}${REMOVED}` : match;
}

/**
 * Whether a word after "Basic", "Digest" ... is an encoded credential rather than prose ("Basic
 * authentication/authorization"): encodings mix digits, signs or upper and lower case.
 */
function looksEncoded(value: string): boolean {
  return /[\d+=]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
}

function decodedName(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
