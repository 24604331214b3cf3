/** How the sink proves itself to the SIEM's collector. */
export type SinkAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'basic'; username: string; password: string };

/** The request headers that carry `auth`. */
export function authHeaders(auth: SinkAuth): Record<string, string> {
  switch (auth.kind) {
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
    case 'basic':
      return { authorization: `Basic ${basicCredentials(auth.username, auth.password)}` };
  }
}

/** RFC 7617's `base64(user:password)`. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

/**
 * Every text of `auth` that must never be seen: the raw secret and its encoded forms, longest
 * first so a longer match is replaced before a shorter one inside it.
 */
export function secretsOf(auth: SinkAuth): string[] {
  const secrets: string[] = [];
  if (auth.kind === 'bearer') secrets.push(auth.token);
  if (auth.kind === 'header') secrets.push(auth.value);
  if (auth.kind === 'basic') secrets.push(auth.password, basicCredentials(auth.username, auth.password));
  return secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
}
