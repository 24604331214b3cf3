/** What a hidden value is replaced by (the mask of lib/config's secrets and of `hideSecrets`). */
const MASK = '***';

// Each keeps what names the value (the scheme, the field) and hides the value itself.
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization schemes a collector may echo back: `Bearer abc`, `Basic dXNlcjpwdw==`, `Splunk <token>`.
  // Only values holding a digit: "Basic authentication failed" is prose, not a credential.
  [/\b(Bearer|Basic|Splunk|SharedAccessSignature|bearer)(\s+)(?=[^\s"',;]*\d)[^\s"',;]+/g, `$1$2${MASK}`],
  // A field named as a credential, in JSON, a query or a form: `"token":"abc"`, `api_key=abc`, `password: abc`.
  [/((?:access_|refresh_|id_)?token|api[_-]?key|apikey|secret|password|passwd|signature|sig|assertion)(["']?\s*[:=]\s*["']?)[^\s"',&;}]+/gi, `$1$2${MASK}`],
  // A JSON Web Token anywhere (Keycloak's and Entra ID's access tokens): header.payload.signature.
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, MASK],
  // A long opaque run of letters and digits (an API key, a SAS signature). Dashes end a run, so
  // event ids (UUIDs) in a collector's error stay readable.
  [/(?=[A-Za-z0-9+/_=]*\d)(?=[A-Za-z0-9+/_=]*[A-Za-z])[A-Za-z0-9+/_=]{32,}/g, MASK],
];

/**
 * Hides values that look like credentials in a text read back from a server (an error body, a
 * reason), beside the configured secrets `hideSecrets` removes by value: a proxy or collector
 * may echo a token that is not ours to know (another tenant's, one it issued), and a log line
 * must not carry it either.
 */
export function hideTokenLike(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}
