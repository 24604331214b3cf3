import { isIP } from 'node:net';
import type { AdminEvent, MpasEvent, UserEvent } from '../events/event-schemas.js';
import { canonicalJson } from '../events/event-key.js';
import { describeAdminEvent, describeUserEvent } from '../pipeline/event-catalog.js';
import { headerText, truncate } from './cef-escape.js';
import { CEF_LIMITS } from './cef-options.js';
import type { ResolvedCefOptions } from './cef-options.js';
import type { FormatContext } from './formatter.js';

/** A CEF line before escaping: header values and extension pairs, already truncated. */
export interface CefFields {
  vendor: string;
  product: string;
  version: string;
  signatureId: string;
  name: string;
  severity: number;
  /** In output order, which is fixed so that the same event always gives the same line. */
  extension: Array<[key: string, value: string]>;
}

/** The labels of the custom string fields, in their slot order cs1..cs6. */
export const CUSTOM_STRING_LABELS = ['realm', 'client', 'session', 'authMethod', 'resourceType', 'details'] as const;

type Rest = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

// `src` must hold an address: a redacted (`<redacted>`) or hashed (`hmac-sha256:...`) value is not
// one, nor is an IPv6 address with a zone, so those stay in the details instead.
function address(value: unknown): string | undefined {
  return typeof value === 'string' && isIP(value) !== 0 && !value.includes('%') ? value : undefined;
}

/** `record` without `keys` and without null members; undefined when nothing is left. */
function remainder(record: unknown, keys: ReadonlyArray<string | false>): Rest | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  // Built only when a member is left: most records are all mapped, and this runs per event.
  let rest: Rest | undefined;
  for (const key of Object.keys(record)) {
    const value = (record as Rest)[key];
    if (value !== null && value !== undefined && !keys.includes(key)) (rest ??= {})[key] = value;
  }
  return rest;
}

interface Mapped {
  describe: { signatureId: string; name: string; severity: number };
  act: string;
  failed: boolean;
  src?: string;
  suser?: string;
  suid?: string;
  duser?: string;
  duid?: string;
  request?: string;
  // Every slot present, so the details JSON always lands in cs6.
  custom: [realm: string, client: string | undefined, session: string | undefined, authMethod: string | undefined, resourceType: string | undefined];
  rest?: Rest;
}

function mapUserEvent(event: UserEvent, context: FormatContext): Mapped {
  const error = text(event.error);
  const details = event.details ?? undefined;
  const username = text(details?.username);
  const src = address(event.ipAddress);
  const rest = remainder(event, ['id', 'time', 'type', 'clientId', 'userId', 'sessionId', 'error', 'details', src !== undefined && 'ipAddress', event.realmId === context.realm && 'realmId']);
  const restDetails = remainder(details, [username !== undefined && 'username', 'auth_method']);
  return {
    describe: describeUserEvent(event.type, error !== undefined),
    act: event.type,
    failed: error !== undefined || event.type.endsWith('_ERROR'),
    src,
    duser: username,
    duid: text(event.userId),
    custom: [context.realm, text(event.clientId), text(event.sessionId), text(details?.auth_method), undefined],
    rest: restDetails ? { ...rest, details: restDetails } : rest,
  };
}

function mapAdminEvent(event: AdminEvent, context: FormatContext): Mapped {
  const error = text(event.error);
  const auth: Rest = event.authDetails ?? {};
  const src = address(auth.ipAddress);
  const userId = text(auth.userId);
  const rest = remainder(event, ['id', 'time', 'operationType', 'resourceType', 'resourcePath', 'error', 'authDetails', event.realmId === context.realm && 'realmId']);
  const restAuth = remainder(auth, ['userId', 'username', 'clientId', src !== undefined && 'ipAddress']);
  return {
    describe: describeAdminEvent(event.operationType, event.resourceType, error !== undefined),
    act: event.operationType,
    failed: error !== undefined,
    src,
    // Keycloak records only the acting user's id; a username, where a newer server adds one, wins.
    suser: text(auth.username) ?? userId,
    suid: userId,
    request: text(event.resourcePath),
    custom: [context.realm, text(auth.clientId), undefined, undefined, text(event.resourceType)],
    rest: restAuth ? { ...rest, authDetails: restAuth } : rest,
  };
}

// The extension keys of the custom string slots, written once rather than per event.
const CUSTOM_LABEL_KEYS = CUSTOM_STRING_LABELS.map((_, index) => `cs${index + 1}Label`);
const CUSTOM_VALUE_KEYS = CUSTOM_STRING_LABELS.map((_, index) => `cs${index + 1}`);

// The device header made one line and truncated once, not per event: it is the same for every event.
// Kept with the raw values it came from, so options changed in place still get their own header.
interface DeviceHeader {
  from: [vendor: string, product: string, version: string];
  fields: Pick<CefFields, 'vendor' | 'product' | 'version'>;
}
const headers = new WeakMap<ResolvedCefOptions, DeviceHeader>();
function headerOf(options: ResolvedCefOptions): DeviceHeader['fields'] {
  const cached = headers.get(options);
  if (cached && cached.from[0] === options.vendor && cached.from[1] === options.product && cached.from[2] === options.version) return cached.fields;
  const fields = {
    vendor: headerText(options.vendor, CEF_LIMITS.vendor),
    product: headerText(options.product, CEF_LIMITS.product),
    version: headerText(options.version, CEF_LIMITS.version),
  };
  headers.set(options, { from: [options.vendor, options.product, options.version], fields });
  return fields;
}

/**
 * Maps an (already redacted) event onto the CEF dictionary: `rt` event time, `externalId` event id,
 * `act` type or operation, `outcome`, `reason` the error, `src` the client address, `suser`/`suid`
 * the acting admin, `duser`/`duid` the user of a user event, `request` the admin resource path,
 * cs1..cs6 realm, client, session, auth method, resource type and the remaining fields as JSON.
 */
export function cefFields(event: MpasEvent, context: FormatContext, options: ResolvedCefOptions): CefFields {
  const mapped = context.stream === 'user' ? mapUserEvent(event as UserEvent, context) : mapAdminEvent(event as AdminEvent, context);
  const extension: Array<[string, string]> = [];
  const add = (key: string, value: string | undefined, maxLength: number): void => {
    if (value !== undefined && value.length > 0) extension.push([key, truncate(value, maxLength)]);
  };
  add('rt', String(event.time), Number.MAX_SAFE_INTEGER);
  add('externalId', text(event.id), CEF_LIMITS.externalId);
  add('act', mapped.act, CEF_LIMITS.act);
  add('outcome', mapped.failed ? 'failure' : 'success', CEF_LIMITS.outcome);
  add('reason', text(event.error), CEF_LIMITS.reason);
  add('src', mapped.src, Number.MAX_SAFE_INTEGER);
  add('suser', mapped.suser, CEF_LIMITS.suser);
  add('suid', mapped.suid, CEF_LIMITS.suid);
  add('duser', mapped.duser, CEF_LIMITS.duser);
  add('duid', mapped.duid, CEF_LIMITS.duid);
  add('request', mapped.request, CEF_LIMITS.request);
  const rest = options.extraDetails === 'cs' && mapped.rest ? canonicalJson(mapped.rest) : undefined;
  const custom = mapped.custom;
  for (let index = 0; index < CUSTOM_STRING_LABELS.length; index += 1) {
    const value = index < custom.length ? custom[index] : rest;
    if (value === undefined || value.length === 0) continue;
    add(CUSTOM_LABEL_KEYS[index]!, CUSTOM_STRING_LABELS[index], CEF_LIMITS.customStringLabel);
    add(CUSTOM_VALUE_KEYS[index]!, value, CEF_LIMITS.customString);
  }
  const header = headerOf(options);
  return {
    vendor: header.vendor,
    product: header.product,
    version: header.version,
    signatureId: headerText(mapped.describe.signatureId, CEF_LIMITS.signatureId),
    name: headerText(mapped.describe.name, CEF_LIMITS.name),
    severity: mapped.describe.severity,
    extension,
  };
}
