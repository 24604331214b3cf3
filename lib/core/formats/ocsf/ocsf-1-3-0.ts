import type { OcsfObject } from './ocsf-event.js';

/**
 * What OCSF 1.3.0 (the newest version Amazon Security Lake's custom sources take) lacks of what the
 * mapping writes in 1.8.0, measured by validating every catalog event against the 1.3.0 JSON
 * Schemas (test/fixtures/ocsf/1.3.0/):
 * - Entity Management, User Access Management and Group Management have no `actor`;
 * - Account Change has no Unlock (12), Authentication no Account Switch (7) nor
 *   `account_switch_type`: such events are activity Other (99), their `activity_name` still says what happened;
 * - a user's `type_id` has no Service (4): it is Other (99), `type` still Service;
 * - Group Management wants `user` or `privileges`.
 */
const CLASSES_WITHOUT_ACTOR: ReadonlySet<number> = new Set([3004, 3005, 3006]);
const ACTIVITIES_SINCE: Readonly<Record<number, ReadonlySet<number>>> = { 3001: new Set([12]), 3002: new Set([7]) };
const ATTRIBUTES_SINCE: readonly string[] = ['account_switch_type_id', 'account_switch_type'];
const GROUP_MANAGEMENT = 3006;
const USER_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 99]);
const OTHER = 99;

/** An event of one class as 1.3.0 has it. */
export interface Ocsf130 {
  activityId: number;
  attributes: OcsfObject;
  /** Whether `actor` went: the Keycloak fields it held belong in `unmapped`. */
  actorDropped: boolean;
}

function userOf130(user: unknown): unknown {
  if (typeof user !== 'object' || user === null) return user;
  const typeId = (user as OcsfObject)['type_id'];
  return typeof typeId === 'number' && !USER_TYPES.has(typeId) ? { ...user, type_id: OTHER } : user;
}

/** The class's attributes and activity of a 1.8.0 mapping, with what 1.3.0 lacks left out or made Other. */
export function toOcsf130(classUid: number, activityId: number, attributes: OcsfObject): Ocsf130 {
  const adapted: OcsfObject = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (ATTRIBUTES_SINCE.includes(name)) continue;
    adapted[name] = name === 'user' ? userOf130(value) : value;
  }
  if (typeof adapted['actor'] === 'object' && adapted['actor'] !== null) {
    const actor = adapted['actor'] as OcsfObject;
    if (actor['user'] !== undefined) adapted['actor'] = { ...actor, user: userOf130(actor['user']) };
  }
  const actorDropped = CLASSES_WITHOUT_ACTOR.has(classUid) && adapted['actor'] !== undefined;
  if (actorDropped) delete adapted['actor'];
  // A group created or deleted names no user and grants nothing: its privileges are the empty list.
  if (classUid === GROUP_MANAGEMENT && adapted['user'] === undefined && adapted['privileges'] === undefined) adapted['privileges'] = [];
  return { activityId: ACTIVITIES_SINCE[classUid]?.has(activityId) === true ? OTHER : activityId, attributes: adapted, actorDropped };
}
