import { isIP } from 'node:net';
import { eventKey } from '../../events/event-key.js';
import type { AdminEvent, MpasEvent, Stream, UserEvent } from '../../events/event-schemas.js';
import { describeAdminEvent, describeUserEvent } from '../../pipeline/event-catalog.js';
import type { EventDescription } from '../../pipeline/event-catalog.js';
import type { FormatContext } from '../formatter.js';
import { classifyAdminEvent, classifyUserEvent } from './ocsf-classification.js';
import type { OcsfClassification } from './ocsf-classification.js';
import { ACCOUNT_CHANGE, API_ACTIVITY, AUTHENTICATION, ENTITY_MANAGEMENT, GROUP_MANAGEMENT, USER_ACCESS_MANAGEMENT, typeUid } from './ocsf-classes.js';
import { ocsfSeverity } from './ocsf-severity.js';
import { toOcsf130 } from './ocsf-1-3-0.js';
import { OCSF_VERSION } from './ocsf-version.js';
import type { OcsfVersion } from './ocsf-version.js';

/** An OCSF object: attribute names are the schema's. */
export type OcsfObject = Record<string, unknown>;

/** One event as OCSF: the classification attributes every class has, and the class's own. */
export interface OcsfEvent extends OcsfObject {
  class_uid: number;
  category_uid: number;
  activity_id: number;
  type_uid: number;
  severity_id: number;
  status_id: number;
  time: number;
  metadata: OcsfObject;
}

/** What the `ocsf` events say of the product that reported them. */
export interface OcsfProduct {
  /** The package version (`metadata.product.version`). */
  version: string;
  /** The OCSF version to write (`metadata.version`); the newest, OCSF_VERSION, when absent. */
  ocsfVersion?: OcsfVersion;
}

/** The product as the CEF header names it (lib/core/formats/cef-options.ts), so both formats agree. */
const PRODUCT_NAME = 'MPAS';
const VENDOR_NAME = 'Kelvin Zero';

/**
 * Where an identity the schema requires is missing from the event (a failed login of an unknown
 * user, an address removed by redaction): OCSF's own caption for a value not known.
 */
export const UNKNOWN_NAME = 'Unknown';

/** The largest `ip_t` value (dictionary.json): a longer text is no address of the schema's. */
const MAX_IP_LENGTH = 40;

/** The OCSF class and activity of an event, without building it: the Security Lake destination routes by it. */
export function ocsfClassificationOf(event: MpasEvent, stream: Stream): OcsfClassification {
  if (stream === 'user') return classifyUserEvent((event as UserEvent).type);
  const admin = event as AdminEvent;
  return classifyAdminEvent(admin.operationType, admin.resourceType, admin.resourcePath);
}

/** The Keycloak type as `metadata.event_code`: the user event type, or the admin operation and resource type. */
export function eventCodeOf(event: MpasEvent, stream: Stream): string {
  if (stream === 'user') return (event as UserEvent).type;
  const admin = event as AdminEvent;
  return typeof admin.resourceType === 'string' && admin.resourceType.length > 0 ? `${admin.operationType} ${admin.resourceType}` : admin.operationType;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Drops the members left undefined, so the JSON has no `null` the schema does not allow. */
function compact(object: OcsfObject): OcsfObject {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** A network endpoint: an IP in `ip`; anything else (a masked or hashed address) in `uid`, as `ip` must be an address. */
function endpoint(address: string | undefined): OcsfObject | undefined {
  if (address === undefined) return undefined;
  return isIP(address) !== 0 && address.length <= MAX_IP_LENGTH ? { ip: address } : { uid: address };
}

/** The id after `collection` in a Keycloak admin resource path (`users/<id>/groups/<id>`). */
function idAfter(resourcePath: string | undefined, collection: string): string | undefined {
  if (resourcePath === undefined) return undefined;
  const segments = resourcePath.split('/');
  const index = segments.indexOf(collection);
  return index >= 0 ? text(segments[index + 1]) : undefined;
}

/** The request body of an admin event, when redaction left it JSON. */
function representationOf(event: AdminEvent): unknown {
  const body = text(event.representation);
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The role names of a role mapping's body (an array of RoleRepresentation). */
function roleNames(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((role: unknown) => (typeof role === 'object' && role !== null && typeof (role as { name?: unknown }).name === 'string' ? [(role as { name: string }).name] : []));
}

function nameIn(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? text((body as { name?: unknown }).name) : undefined;
}

/** A user object; the schema wants a name or a uid. */
function userObject(fields: { uid?: string | undefined; name?: string | undefined; domain?: string | undefined; typeId?: number; type?: string }): OcsfObject {
  const known = fields.uid !== undefined || fields.name !== undefined;
  return compact({ name: known ? fields.name : UNKNOWN_NAME, uid: fields.uid, domain: fields.domain, type_id: fields.typeId, type: fields.type });
}

/** An entity-like object (`group`, `entity`, `service`): a name or a uid, else Unknown. */
function namedObject(fields: OcsfObject & { name?: string | undefined; uid?: string | undefined }): OcsfObject {
  return compact({ ...fields, name: fields.name ?? (fields.uid === undefined ? UNKNOWN_NAME : undefined) });
}

const AUTH_PROTOCOLS: Readonly<Record<string, { id: number; name: string }>> = {
  'openid-connect': { id: 4, name: 'OpenID' },
  saml: { id: 5, name: 'SAML' },
};

interface Built {
  description: EventDescription;
  failed: boolean;
  error: string | undefined;
  /** The class's own attributes. */
  attributes: OcsfObject;
  /** The Keycloak fields with a home in the OCSF object; the rest goes to `unmapped`. */
  mapped: ReadonlySet<string>;
  /** The `details` keys with a home in the OCSF object. */
  mappedDetails: ReadonlySet<string>;
  /** The `authDetails` keys with a home in the OCSF object. */
  mappedAuthDetails: ReadonlySet<string>;
  /** The Keycloak fields, and `authDetails` keys, whose only home is `actor`: unmapped where the class has none. */
  actorOnly: { fields: ReadonlySet<string>; authDetails: ReadonlySet<string> };
}

const USER_MAPPED = new Set(['id', 'time', 'type', 'clientId', 'userId', 'sessionId', 'ipAddress', 'error']);
const ADMIN_MAPPED = new Set(['id', 'time', 'operationType', 'resourceType', 'authDetails', 'error']);
const AUTH_DETAILS_MAPPED = new Set(['clientId', 'userId', 'ipAddress', 'realmId']);
/** The `authDetails` keys of the admin who acted, all in `actor`. */
const ACTOR_AUTH_DETAILS = new Set(['clientId', 'userId', 'realmId']);
const NOTHING: ReadonlySet<string> = new Set();

function buildUserEvent(event: UserEvent, classification: OcsfClassification, realm: string): Built {
  const details = event.details ?? {};
  const error = text(event.error);
  const failed = error !== undefined || event.type.endsWith('_ERROR');
  const description = describeUserEvent(event.type, failed);
  const mappedDetails = new Set<string>(['username']);
  const user = userObject({
    uid: text(event.userId),
    name: text(details['username']),
    domain: realm,
    ...(classification.ocsfClass === AUTHENTICATION && event.type.startsWith('CLIENT_LOGIN') ? { typeId: 4, type: 'Service' } : {}),
  });
  const clientId = text(event.clientId);
  const sessionId = text(event.sessionId);
  const source = endpoint(text(event.ipAddress));
  const attributes: OcsfObject = {};
  const { ocsfClass } = classification;
  if (ocsfClass === AUTHENTICATION) {
    attributes['user'] = user;
    // The realm is the identity service the user authenticates to; the client is the application asking.
    attributes['service'] = { name: realm };
    if (clientId !== undefined) attributes['actor'] = { app_name: clientId };
    if (sessionId !== undefined) attributes['session'] = { uid: sessionId };
    const method = text(details['auth_method']);
    if (method !== undefined) {
      mappedDetails.add('auth_method');
      const protocol = AUTH_PROTOCOLS[method] ?? { id: 99, name: method };
      attributes['auth_protocol_id'] = protocol.id;
      attributes['auth_protocol'] = protocol.name;
    }
    if (classification.activityId === 7) {
      attributes['account_switch_type_id'] = 2;
      attributes['account_switch_type'] = 'Impersonate';
      const impersonator = { uid: text(details['impersonator_id']), name: text(details['impersonator']) };
      if (impersonator.uid !== undefined || impersonator.name !== undefined) {
        mappedDetails.add('impersonator_id').add('impersonator');
        attributes['actor'] = compact({ user: userObject({ ...impersonator, domain: realm }), app_name: clientId });
      }
    }
  } else {
    const actor = compact({ app_name: clientId, session: sessionId === undefined ? undefined : { uid: sessionId } });
    if (Object.keys(actor).length > 0) attributes['actor'] = actor;
    if (ocsfClass === ENTITY_MANAGEMENT) {
      // Dynamic client registration names its client in clientId; a cluster node registers for its client too.
      attributes['entity'] = namedObject({ type: description.category === 'cluster' ? 'Cluster node' : 'Client', uid: clientId });
    } else if (ocsfClass === API_ACTIVITY) {
      // The class has no subject user: the user is the actor.
      attributes['actor'] = { ...(attributes['actor'] as OcsfObject | undefined), user };
      attributes['api'] = { operation: event.type };
    } else {
      attributes['user'] = user;
    }
  }
  attributes['src_endpoint'] = source ?? (ocsfClass === API_ACTIVITY ? { name: UNKNOWN_NAME } : undefined);
  // Outside Authentication the client and session are the actor's only (Entity Management's entity is the client too).
  const actorOnly = ocsfClass === AUTHENTICATION ? NOTHING : new Set(ocsfClass === ENTITY_MANAGEMENT ? ['sessionId'] : ['clientId', 'sessionId']);
  return { description, failed, error, attributes: compact(attributes), mapped: USER_MAPPED, mappedDetails, mappedAuthDetails: NOTHING, actorOnly: { fields: actorOnly, authDetails: NOTHING } };
}

function buildAdminEvent(event: AdminEvent, classification: OcsfClassification, realm: string): Built {
  const error = text(event.error);
  const failed = error !== undefined;
  const description = describeAdminEvent(event.operationType, event.resourceType, failed);
  const auth = event.authDetails ?? {};
  const admin = { uid: text(auth.userId), domain: text(auth.realmId), app: text(auth.clientId) };
  const actor =
    admin.uid !== undefined || admin.app !== undefined
      ? compact({ user: admin.uid === undefined ? undefined : userObject({ uid: admin.uid, domain: admin.domain, typeId: 2, type: 'Admin' }), app_name: admin.app })
      : undefined;
  const path = text(event.resourcePath);
  const body = representationOf(event);
  const subject = (): OcsfObject => userObject({ uid: idAfter(path, 'users') ?? idAfter(path, 'members'), domain: realm });
  const attributes: OcsfObject = { actor };
  const { ocsfClass } = classification;
  if (ocsfClass === ACCOUNT_CHANGE) {
    attributes['user'] = subject();
  } else if (ocsfClass === AUTHENTICATION) {
    attributes['user'] = subject();
    attributes['service'] = { name: realm };
    const session = idAfter(path, 'sessions');
    if (session !== undefined) attributes['session'] = { uid: session };
  } else if (ocsfClass === GROUP_MANAGEMENT) {
    const organization = idAfter(path, 'organizations');
    const groupId = idAfter(path, 'groups');
    attributes['group'] =
      groupId === undefined && organization !== undefined
        ? { uid: organization, type: 'Organization' }
        : namedObject({ uid: groupId, name: event.resourceType?.endsWith('MEMBERSHIP') === true ? undefined : nameIn(body) });
    const member = idAfter(path, 'users') ?? idAfter(path, 'members');
    if (member !== undefined) attributes['user'] = userObject({ uid: member, domain: realm });
    if (classification.activityId === 1 || classification.activityId === 2) attributes['privileges'] = roleNames(body);
  } else if (ocsfClass === USER_ACCESS_MANAGEMENT) {
    attributes['user'] = subject();
    attributes['privileges'] = roleNames(body);
  } else if (ocsfClass === ENTITY_MANAGEMENT) {
    attributes['entity'] = namedObject({ type: entityType(event.resourceType), uid: path, name: nameIn(body) });
  } else {
    attributes['actor'] = actor ?? { user: userObject({}) };
    attributes['api'] = { operation: event.operationType };
    if (path !== undefined || text(event.resourceType) !== undefined) attributes['resources'] = [namedObject({ type: text(event.resourceType), uid: path })];
  }
  attributes['src_endpoint'] = endpoint(text(auth.ipAddress)) ?? (ocsfClass === API_ACTIVITY ? { name: UNKNOWN_NAME } : undefined);
  return { description, failed, error, attributes: compact(attributes), mapped: ADMIN_MAPPED, mappedDetails: NOTHING, mappedAuthDetails: AUTH_DETAILS_MAPPED, actorOnly: { fields: NOTHING, authDetails: ACTOR_AUTH_DETAILS } };
}

/** The resource type as words, `CLIENT_SCOPE` -> `Client scope`. */
function entityType(resourceType: string | null | undefined): string | undefined {
  const words = text(resourceType)?.toLowerCase().replace(/_/g, ' ');
  return words === undefined ? undefined : words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every Keycloak field without a home in the OCSF object, under its own name (and `details`, `authDetails` keys within theirs). */
function unmappedOf(event: MpasEvent, built: Built): OcsfObject | undefined {
  const unmapped: OcsfObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined || value === null) continue;
    if (key === 'details' || key === 'authDetails') {
      const within = key === 'details' ? built.mappedDetails : built.mappedAuthDetails;
      const rest = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([name, item]) => !within.has(name) && item !== null && item !== undefined));
      if (Object.keys(rest).length > 0) unmapped[key] = rest;
      continue;
    }
    if (!built.mapped.has(key)) unmapped[key] = value;
  }
  return Object.keys(unmapped).length > 0 ? unmapped : undefined;
}

function without(mapped: ReadonlySet<string>, moved: ReadonlySet<string>): ReadonlySet<string> {
  return moved.size === 0 ? mapped : new Set([...mapped].filter((name) => !moved.has(name)));
}

/** A class without `actor`: the fields only it held go to `unmapped` (`authDetails` then keeps just what else maps). */
function withoutActor(built: Built): Built {
  return {
    ...built,
    mapped: without(built.mapped, built.actorOnly.fields),
    mappedAuthDetails: without(built.mappedAuthDetails, built.actorOnly.authDetails),
  };
}

/**
 * One (already redacted) event as an OCSF object of its class: the redactor has run, so a masked
 * `ipAddress` is a masked `src_endpoint`, a removed one no endpoint at all. `metadata.uid` is the
 * event key (`context.key`, computed from the event when the caller has none).
 */
export function toOcsfEvent(event: MpasEvent, context: FormatContext, product: OcsfProduct): OcsfEvent {
  const classification = ocsfClassificationOf(event, context.stream);
  const { ocsfClass } = classification;
  const version = product.ocsfVersion ?? OCSF_VERSION;
  let built =
    context.stream === 'user'
      ? buildUserEvent(event as UserEvent, classification, context.realm)
      : buildAdminEvent(event as AdminEvent, classification, context.realm);
  let { activityId } = classification;
  if (version === '1.3.0') {
    const adapted = toOcsf130(ocsfClass.uid, activityId, built.attributes);
    activityId = adapted.activityId;
    built = adapted.actorDropped ? withoutActor({ ...built, attributes: adapted.attributes }) : { ...built, attributes: adapted.attributes };
  }
  const activityName = ocsfClass.activities[classification.activityId] ?? 'Unknown';
  const severity = ocsfSeverity(built.description.severity);
  const ocsf: OcsfEvent = {
    class_uid: ocsfClass.uid,
    class_name: ocsfClass.name,
    category_uid: ocsfClass.categoryUid,
    category_name: ocsfClass.categoryName,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: typeUid(ocsfClass, activityId),
    type_name: `${ocsfClass.name}: ${activityName}`,
    severity_id: severity.id,
    severity: severity.caption,
    status_id: built.failed ? 2 : 1,
    status: built.failed ? 'Failure' : 'Success',
    time: event.time,
    message: built.description.name,
    metadata: {
      version,
      product: { name: PRODUCT_NAME, vendor_name: VENDOR_NAME, version: product.version },
      uid: context.key ?? eventKey(event),
      event_code: eventCodeOf(event, context.stream),
      original_time: String(event.time),
      log_name: context.stream,
      tenant_uid: context.tenant,
    },
    ...built.attributes,
  };
  if (built.error !== undefined) ocsf['status_detail'] = built.error;
  const unmapped = unmappedOf(event, built);
  if (unmapped !== undefined) ocsf['unmapped'] = unmapped;
  return ocsf;
}
