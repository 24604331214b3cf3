import { isIP } from 'node:net';

/** The fields of an event, or of one of its objects, as a format reads them. */
export type EventFields = Record<string, unknown>;

/** A non-empty string, else undefined: Keycloak leaves absent values null or empty. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The value when it is an IP address that an address field (`src`, `source.ip`) accepts, else
 * undefined: a redacted (`<redacted>`) or hashed (`hmac-sha256:...`) value is none, nor is an
 * IPv6 address with a zone.
 */
export function ipAddress(value: unknown): string | undefined {
  return typeof value === 'string' && isIP(value) !== 0 && !value.includes('%') ? value : undefined;
}

/** `record` without `keys` (`false` entries stand for keys kept) and without null members; undefined when nothing is left. */
export function remainder(record: EventFields | null | undefined, keys: ReadonlyArray<string | false>): EventFields | undefined {
  if (record === null || record === undefined) return undefined;
  let rest: EventFields | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && value !== undefined && !keys.includes(key)) (rest ??= {})[key] = value;
  }
  return rest;
}
