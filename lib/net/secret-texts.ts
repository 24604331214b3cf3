// What of a secret to look for in a server's answer, before the answer is shown anywhere.

/**
 * The texts a value sent in an `application/x-www-form-urlencoded` body can come back as in what
 * a server answers: as it is, percent-encoded, and form-encoded (spaces as `+`). Each is hidden
 * by value in the answer, so a server quoting the request cannot show a client secret or password.
 */
export function formValueForms(value: string): string[] {
  return [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice('v='.length)];
}

/** Texts to hide, each once, without empty ones, longest first: a longer one is replaced before a shorter one inside it. */
export function longestFirst(texts: Iterable<string>): string[] {
  return [...new Set(texts)].filter((text) => text.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of a secret in `text` with `***`. Applied to everything a server
 * sends back (a collector may echo a rejected token in its error body) and to network errors.
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('***');
  return result;
}
