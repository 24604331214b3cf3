import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The credentials the local SIEM expects; every one given must be presented. */
export interface ExpectedAuth {
  /** `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** A custom header, e.g. `{ name: 'X-Api-Key', value: '...' }`. */
  header?: { name: string; value: string };
  /** `Authorization: Basic base64(username:password)`. */
  basic?: { username: string; password: string };
}

/** Whether the request's headers carry every credential in `expected`. */
export function isAuthorized(headers: IncomingHttpHeaders, expected: ExpectedAuth): boolean {
  const authorization = single(headers['authorization']);
  if (expected.bearerToken !== undefined && !sameText(authorization, `Bearer ${expected.bearerToken}`)) return false;
  if (expected.header !== undefined && !sameText(single(headers[expected.header.name.toLowerCase()]), expected.header.value)) {
    return false;
  }
  if (expected.basic !== undefined) {
    const encoded = Buffer.from(`${expected.basic.username}:${expected.basic.password}`, 'utf8').toString('base64');
    if (!sameText(authorization, `Basic ${encoded}`)) return false;
  }
  return true;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// Constant-time, as a real collector would compare secrets.
function sameText(actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
