import * as z from 'zod';
import type { AdminEvent, MpasEvent, UserEvent } from '../../events/event-schemas.js';
import { canonicalJson, eventKey } from '../../events/event-key.js';
import { describeAdminEvent, describeUserEvent } from '../../pipeline/event-catalog.js';
import type { EventDescription } from '../../pipeline/event-catalog.js';
import type { FormatContext, Formatter } from '../formatter.js';
import { ipAddress, remainder, text } from '../event-values.js';
import type { EventFields } from '../event-values.js';
import { isoTimestamp } from '../json-envelope.js';
import { declaredDelimiter, escapeLeefHeader, valueEscaper } from './leef-escape.js';

/** Settings of the LEEF formatter. */
export interface LeefFormatterOptions {
  /** The header's Vendor. @default 'Kelvin Zero' */
  vendor?: string;
  /** The header's Product. @default 'MPAS' */
  product?: string;
  /** The header's Version: the caller passes the package version. @default 'unknown' */
  version?: string;
  /** The one character between attributes, declared in the header. @default '\t' (declared `x09`) */
  delimiter?: string;
}

const headerText = (setting: string) =>
  z
    .string({ error: `${setting}: expected a string` })
    .min(1, { error: `${setting}: must not be empty` })
    .refine((value) => !/[\r\n]/.test(value), { error: `${setting}: must not contain line breaks` });

const optionsSchema = z.object({
  vendor: headerText('leef.vendor').default('Kelvin Zero'),
  product: headerText('leef.product').default('MPAS'),
  version: headerText('leef.version').default('unknown'),
  // Letters, digits and what the line itself uses (`=`, `\`, `|`, line breaks) would make attributes unreadable.
  delimiter: z
    .string({ error: 'leef.delimiter: expected a string' })
    .regex(/^[^A-Za-z0-9=\\|\r\n]$/, { error: 'leef.delimiter: must be one character, not a letter, a digit, =, \\, | or a line break' })
    .refine((value) => value.charCodeAt(0) <= 0xff, { error: 'leef.delimiter: must be a character of code 0x00-0xFF (the header declares it as xHH)' })
    .default('\t'),
});

/**
 * `devTime` as Java's SimpleDateFormat `yyyy-MM-dd'T'HH:mm:ss.SSSZ` writes it (QRadar reads
 * devTime with the pattern in `devTimeFormat`): UTC, its offset as `+0000`.
 */
export const DEV_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";
function devTime(time: number): string {
  return isoTimestamp(time).slice(0, -1) + '+0000';
}

/** LEEF's `sev` runs 1-10; the catalog's 0 (nothing uses it) becomes 1. */
export function leefSeverity(severity: number): number {
  return Math.min(10, Math.max(1, severity));
}

/** One event's attributes, in output order: QRadar's predefined keys first, then this product's. */
type Attributes = Array<[key: string, value: string | undefined]>;

/** The catalog's entry of an event (the header's event id), and its attributes. */
interface Described {
  description: EventDescription;
  attributes: Attributes;
}

function common(event: MpasEvent, description: EventDescription, src: string | undefined): Attributes {
  return [
    ['devTime', devTime(event.time)],
    ['devTimeFormat', DEV_TIME_FORMAT],
    ['cat', description.category],
    ['sev', String(leefSeverity(description.severity))],
    ['src', src],
    ['identSrc', src],
  ];
}

function userAttributes(event: UserEvent, context: FormatContext): Described {
  const error = text(event.error);
  const description = describeUserEvent(event.type, error !== undefined);
  const details = event.details ?? undefined;
  const username = text(details?.username);
  // `src` and `identSrc` hold an address: a redacted or hashed value stays in `details` instead.
  const src = ipAddress(event.ipAddress);
  const rest = remainder(event, ['id', 'time', 'type', 'clientId', 'userId', 'sessionId', 'error', 'details', src !== undefined && 'ipAddress', event.realmId === context.realm && 'realmId']);
  const restDetails = remainder(details, ['username', 'auth_method']);
  const attributes: Attributes = [
    ...common(event, description, src),
    ['usrName', username ?? text(event.userId)],
    ['realm', context.realm],
    ['msg', description.name],
    ['externalId', context.key ?? eventKey(event)],
    ['action', event.type],
    ['outcome', error !== undefined || event.type.endsWith('_ERROR') ? 'failure' : 'success'],
    ['reason', error],
    ['userId', text(event.userId)],
    ['clientId', text(event.clientId)],
    ['sessionId', text(event.sessionId)],
    ['authMethod', text(details?.auth_method)],
    ['details', rest || restDetails ? canonicalJson(restDetails ? { ...rest, details: restDetails } : rest) : undefined],
  ];
  return { description, attributes };
}

function adminAttributes(event: AdminEvent, context: FormatContext): Described {
  const error = text(event.error);
  const description = describeAdminEvent(event.operationType, event.resourceType ?? undefined, error !== undefined);
  const auth: EventFields = event.authDetails ?? {};
  const src = ipAddress(auth['ipAddress']);
  const userId = text(auth['userId']);
  const rest = remainder(event, ['id', 'time', 'operationType', 'resourceType', 'resourcePath', 'error', 'authDetails', event.realmId === context.realm && 'realmId']);
  const restAuth = remainder(auth, ['userId', 'username', 'clientId', src !== undefined && 'ipAddress']);
  const attributes: Attributes = [
    ...common(event, description, src),
    // The acting admin: Keycloak records the id, a newer server also the name, which wins.
    ['usrName', text(auth['username']) ?? userId],
    ['realm', context.realm],
    ['resource', text(event.resourcePath)],
    ['msg', description.name],
    ['externalId', context.key ?? eventKey(event)],
    ['action', event.operationType],
    ['outcome', error !== undefined ? 'failure' : 'success'],
    ['reason', error],
    ['userId', userId],
    ['clientId', text(auth['clientId'])],
    ['resourceType', text(event.resourceType)],
    ['details', rest || restAuth ? canonicalJson(restAuth ? { ...rest, authDetails: restAuth } : rest) : undefined],
  ];
  return { description, attributes };
}

/** A LEEF options value is invalid; the message names the setting (`leef.delimiter`). */
export class LeefOptionsError extends Error {
  override readonly name = 'LeefOptionsError';
}

/**
 * The `leef` format: one LEEF 2.0 line per (already redacted) event for IBM QRadar,
 * `LEEF:2.0|Kelvin Zero|MPAS|<version>|<signatureId>|x09|devTime=...<tab>sev=...`, the event id
 * and severity from the event catalog as the CEF formatter takes them (the keys: docs/siems.md,
 * "QRadar with LEEF"). Options are checked here, once; a bad one throws `LeefOptionsError`.
 */
export function createLeefFormatter(options: LeefFormatterOptions = {}): Formatter {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new LeefOptionsError(parsed.error.issues[0]?.message ?? 'leef: invalid options');
  const { vendor, product, version, delimiter } = parsed.data;
  const prefix = `LEEF:2.0|${escapeLeefHeader(vendor)}|${escapeLeefHeader(product)}|${escapeLeefHeader(version)}|`;
  const declared = '|' + declaredDelimiter(delimiter) + '|';
  const escape = valueEscaper(delimiter);
  return {
    format: 'leef',
    encode(event, context) {
      const { description, attributes } = context.stream === 'user' ? userAttributes(event as UserEvent, context) : adminAttributes(event as AdminEvent, context);
      let line = prefix + escapeLeefHeader(description.signatureId) + declared;
      let first = true;
      for (const [key, value] of attributes) {
        if (value === undefined || value.length === 0) continue;
        line += (first ? '' : delimiter) + key + '=' + escape(value);
        first = false;
      }
      return line;
    },
  };
}

/**
 * The catalog severity a LEEF line carries in `sev` (1-10: the catalog's 0 reads back as 1, which
 * syslog files the same way), found after the header's declared delimiter.
 */
export function leefLineSeverity(line: string): number | undefined {
  const header = /^LEEF:2\.0\|(?:(?:\\.|[^|\\])*\|){4}([^|]+)\|/.exec(line);
  if (!header) return undefined;
  const declared = header[1]!;
  const delimiter = /^0?x[0-9a-f]{2}$/i.test(declared) ? String.fromCharCode(parseInt(declared.slice(-2), 16)) : declared;
  for (const attribute of line.slice(header[0].length).split(delimiter)) {
    if (attribute.startsWith('sev=')) {
      const severity = Number(attribute.slice(4));
      return Number.isInteger(severity) ? severity : undefined;
    }
  }
  return undefined;
}
