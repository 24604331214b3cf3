/** What an MPAS (Keycloak) error body says, in whichever of its shapes it came. */
export interface ServerMessage {
  /** The OAuth error code of the token endpoint (`invalid_grant`, ...), when there is one. */
  oauthError?: string;
  /** The human text: `error_description`, `errorMessage`, `error`, or the plain body. */
  text?: string;
}

const MAX_TEXT = 200;

/**
 * Reads an error body. Keycloak answers the token endpoint with `{"error", "error_description"}`,
 * the admin API with `{"error"}` or `{"errorMessage"}`, and a proxy in front of it with plain
 * text or HTML. The text is cut to 200 characters and every value in `secrets` is masked, so it
 * can go into an error message even if a server were to echo a request back.
 */
export function readServerMessage(body: string, secrets: readonly string[] = []): ServerMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const result: ServerMessage = {};
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    const error = typeof record.error === 'string' ? record.error : undefined;
    const description = typeof record.error_description === 'string' ? record.error_description : undefined;
    const errorMessage = typeof record.errorMessage === 'string' ? record.errorMessage : undefined;
    // An OAuth code is a single lower-case token; the admin API puts sentences in `error`.
    if (error !== undefined && /^[a-z_]+$/.test(error)) result.oauthError = error;
    const text = description ?? errorMessage ?? (result.oauthError === undefined ? error : undefined);
    if (text !== undefined) result.text = clean(text, secrets);
  } else if (body.trim() !== '' && !/^\s*</.test(body)) {
    // HTML error pages are noise in a log line; plain text is kept.
    result.text = clean(body, secrets);
  }
  return result;
}

function clean(text: string, secrets: readonly string[]): string {
  // Masked before whitespace is squeezed, so a secret with spaces in it still matches.
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('<redacted>');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_TEXT ? out.slice(0, MAX_TEXT) + '...' : out;
}
