import type { AdminEvent, MpasEvent, UserEvent } from '../../events/event-schemas.js';
import { eventKey } from '../../events/event-key.js';
import { describeAdminEvent, describeUserEvent } from '../../pipeline/event-catalog.js';
import type { FormatContext, Formatter } from '../formatter.js';
import { ipAddress, remainder, text } from '../event-values.js';
import type { EventFields } from '../event-values.js';
import { isoTimestamp } from '../json-envelope.js';
import { adminEventCategorization, userEventCategorization } from './ecs-categorization.js';

/** The ECS release the documents follow (docs/siems.md, "Elastic with ECS"). */
export const ECS_VERSION = '9.3.0';

/** Settings of the ECS formatter. */
export interface EcsFormatterOptions {
  /** `agent.version`: the package version. */
  version: string;
}

/** Drops undefined and null members, empty arrays and empty objects, so a document holds only what the event had. */
function compact(record: EventFields): EventFields | undefined {
  let kept: EventFields | undefined;
  for (const [key, value] of Object.entries(record)) {
    const member = value !== null && typeof value === 'object' && !Array.isArray(value) ? compact(value as EventFields) : value;
    if (member !== undefined && member !== null && !(Array.isArray(member) && member.length === 0)) (kept ??= {})[key] = member;
  }
  return kept;
}

function distinct(...values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

// Keycloak's details keys are snake_case but for these two, which Elastic's Keycloak integration renames.
const DETAIL_NAMES: Readonly<Record<string, string>> = { authSessionParentId: 'auth_session_parent_id', authSessionTabId: 'auth_session_tab_id' };

function loginDetails(details: EventFields | undefined): EventFields | undefined {
  if (details === undefined) return undefined;
  const renamed: EventFields = {};
  for (const [key, value] of Object.entries(details)) renamed[DETAIL_NAMES[key] ?? key] = value;
  return renamed;
}

const USER_MAPPED = ['id', 'time', 'type', 'realmId', 'clientId', 'userId', 'sessionId', 'ipAddress', 'error', 'details'];
const ADMIN_MAPPED = ['id', 'time', 'realmId', 'authDetails', 'operationType', 'resourceType', 'resourcePath', 'representation', 'error', 'details'];
const AUTH_MAPPED = ['realmId', 'clientId', 'userId', 'username', 'ipAddress'];
const USERNAME = ['username'];

interface Common {
  event: MpasEvent;
  context: FormatContext;
  options: EcsFormatterOptions;
  description: { name: string; severity: number };
  categorization: { category: string[]; type: string[] };
  action: string;
  code: string | undefined;
  failed: boolean;
  address: string | undefined;
}

/** The members every document has, in the order Kibana's document view lists the important ones first. */
function document(common: Common, user: EventFields, keycloak: EventFields, extra: EventFields = {}): EventFields {
  const { event, context, options, description, categorization, address } = common;
  const error = text(event.error);
  // `source.ip` is an `ip` field: Elasticsearch refuses a document whose value is none, so a
  // redacted or hashed address stays in `source.address` (a keyword) only.
  const ip = ipAddress(address);
  return {
    '@timestamp': isoTimestamp(event.time),
    message: description.name,
    event: {
      kind: 'event',
      category: categorization.category,
      type: categorization.type,
      action: common.action,
      code: common.code,
      outcome: common.failed ? 'failure' : 'success',
      severity: description.severity,
      id: context.key ?? eventKey(event),
      module: 'mpas',
      dataset: context.stream === 'user' ? 'mpas.user' : 'mpas.admin',
    },
    error: { code: error },
    user,
    source: { address, ip },
    ...extra,
    related: { user: distinct(text(user['id']), text(user['name']), text((user['target'] as EventFields | undefined)?.['id'])), ip: distinct(ip) },
    observer: { vendor: 'Kelvin Zero', product: 'MPAS' },
    agent: { type: 'mpas-log-sync', version: options.version },
    ecs: { version: ECS_VERSION },
    keycloak,
  };
}

function userDocument(event: UserEvent, context: FormatContext, options: EcsFormatterOptions): EventFields {
  const error = text(event.error);
  const details = event.details ?? undefined;
  const address = text(event.ipAddress);
  const common: Common = {
    event,
    context,
    options,
    description: describeUserEvent(event.type, error !== undefined),
    categorization: userEventCategorization(event.type),
    action: event.type,
    // Elastic's Keycloak integration files a user event's error as its code.
    code: error,
    failed: error !== undefined || event.type.endsWith('_ERROR'),
    address,
  };
  const user = { id: text(event.userId), name: text(details?.username), domain: context.realm };
  return document(common, user, {
    event_type: 'login',
    realm: { id: text(event.realmId) },
    client: { id: text(event.clientId) },
    session: { id: text(event.sessionId) },
    login: { type: event.type, ...loginDetails(remainder(details, USERNAME)) },
    unmapped: remainder(event, USER_MAPPED),
  });
}

function adminDocument(event: AdminEvent, context: FormatContext, options: EcsFormatterOptions): EventFields {
  const error = text(event.error);
  const auth: EventFields = event.authDetails ?? {};
  const resourceType = text(event.resourceType);
  const resourcePath = text(event.resourcePath);
  // Elastic's Keycloak integration: `OPERATION-RESOURCE` is both the action and the code.
  const action = resourceType === undefined ? event.operationType : `${event.operationType}-${resourceType}`;
  const common: Common = {
    event,
    context,
    options,
    description: describeAdminEvent(event.operationType, resourceType, error !== undefined),
    categorization: adminEventCategorization(event.operationType, resourceType, resourcePath),
    action,
    code: action,
    failed: error !== undefined,
    address: text(auth['ipAddress']),
  };
  const [collection, id] = resourcePath?.split('/') ?? [];
  const targetUser = collection === 'users' ? text(id) : undefined;
  const group = collection === 'groups' ? text(id) : undefined;
  // The acting admin: Keycloak records the id, a newer server also the name. Their realm is the
  // event's only when the ids agree; an admin of `master` is not a member of the realm changed.
  const authRealm = text(auth['realmId']);
  const user = {
    id: text(auth['userId']),
    name: text(auth['username']),
    domain: authRealm === undefined || authRealm === text(event.realmId) ? context.realm : undefined,
    target: { id: targetUser },
  };
  return document(common, user, {
    event_type: 'admin',
    realm: { id: text(event.realmId) },
    client: { id: text(auth['clientId']) },
    admin: {
      operation: event.operationType,
      resource: { type: resourceType, path: resourcePath },
      representation: text(event.representation),
      details: event.details ?? undefined,
      auth: { realm_id: authRealm, ...remainder(auth, AUTH_MAPPED) },
    },
    unmapped: remainder(event, ADMIN_MAPPED),
  }, { group: { id: group } });
}

/**
 * The `ecs` format: one Elastic Common Schema document per (already redacted) event, its fields
 * named as Elastic's Keycloak integration names them and the rest under `keycloak` (the mapping:
 * docs/siems.md, "Elastic with ECS"). `@timestamp` is always the first member: the Elastic sink
 * then sends the document as it is.
 */
export function createEcsFormatter(options: EcsFormatterOptions): Formatter {
  return {
    format: 'ecs',
    encode(event, context) {
      const built = context.stream === 'user' ? userDocument(event as UserEvent, context, options) : adminDocument(event as AdminEvent, context, options);
      return JSON.stringify(compact(built));
    },
  };
}

/** The catalog severity an ECS document carries in `event.severity`. */
export function ecsSeverity(payload: string): number | undefined {
  try {
    const severity = (JSON.parse(payload) as { event?: { severity?: unknown } }).event?.severity;
    return typeof severity === 'number' ? severity : undefined;
  } catch {
    return undefined;
  }
}
