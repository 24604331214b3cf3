import type { AdminEvent, UserEvent } from './event-schemas.js';

/**
 * Precompiled checks of the event schemas for the forwarder's hot path, where zod costs more
 * than parsing the message itself. A check answers true only when zod's schema would accept the
 * value AND return an equal object, members in the same order at every depth: then the caller
 * may use the value itself as zod's output. Anything else (invalid, members in another order, a
 * `__proto__` member, an object that is not plain) is false, and the caller asks zod, which has
 * the last word and the error message with the field path. A false answer is never wrong, only
 * slower; the property test in test/unit/sources/mpas/event-fast-check.test.ts holds the true answers
 * to zod's.
 */

type Check = (value: unknown) => boolean;

/** One member of an object shape, in the schema's order: zod writes its output in that order. */
interface Member {
  key: string;
  check: Check;
  required: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// `z.string().nullish()`: an explicit undefined is left to zod, which may keep or drop the member.
const nullishText: Check = (value) => value === null || typeof value === 'string';
const optionalText: Check = (value) => typeof value === 'string';
const nonEmptyText: Check = (value) => typeof value === 'string' && value.length > 0;
const epochMillis: Check = (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

// `z.record(z.string(), z.string().nullable()).nullish()`: zod copies the record in its own order.
const detailsMap: Check = (value) => {
  if (value === null) return true;
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (key === '__proto__') return false;
    const item = value[key];
    if (item !== null && typeof item !== 'string') return false;
  }
  return true;
};

/**
 * A loose object whose known members come first, in the shape's order, each valid, followed by
 * unknown members (kept as they are, as `z.looseObject` keeps them), and every required one present.
 */
function looseObject(members: readonly Member[]): Check {
  const position = new Map(members.map((member, index) => [member.key, index]));
  const requiredCount = members.filter(({ required }) => required).length;
  return (value) => {
    if (!isPlainObject(value)) return false;
    let next = 0;
    let unknownSeen = false;
    let requiredSeen = 0;
    for (const key in value) {
      // Members mostly come in the schema's order: try the next one before the map.
      const index = next < members.length && members[next]!.key === key ? next : position.get(key);
      if (index === undefined) {
        // zod never writes a `__proto__` member: its output would differ from the input.
        if (key === '__proto__') return false;
        unknownSeen = true;
        continue;
      }
      if (unknownSeen || index < next) return false;
      next = index + 1;
      const member = members[index]!;
      if (!member.check(value[key])) return false;
      if (member.required) requiredSeen += 1;
    }
    return requiredSeen === requiredCount;
  };
}

const optional = (key: string, check: Check): Member => ({ key, check, required: false });
const required = (key: string, check: Check): Member => ({ key, check, required: true });

const userEventCheck = looseObject([
  optional('id', optionalText),
  required('time', epochMillis),
  required('type', nonEmptyText),
  optional('realmId', nullishText),
  optional('clientId', nullishText),
  optional('userId', nullishText),
  optional('sessionId', nullishText),
  optional('ipAddress', nullishText),
  optional('error', nullishText),
  optional('details', detailsMap),
]);

const authDetailsCheck = looseObject([
  optional('realmId', nullishText),
  optional('clientId', nullishText),
  optional('userId', nullishText),
  optional('ipAddress', nullishText),
]);

const adminEventCheck = looseObject([
  optional('id', optionalText),
  required('time', epochMillis),
  optional('realmId', nullishText),
  optional('authDetails', (value) => value === null || authDetailsCheck(value)),
  required('operationType', nonEmptyText),
  optional('resourceType', nullishText),
  optional('resourcePath', nullishText),
  optional('representation', nullishText),
  optional('error', nullishText),
  optional('details', detailsMap),
]);

/** True when `userEventSchema.parse(value)` would succeed and equal `value`, member order included. */
export function isCanonicalUserEvent(value: unknown): value is UserEvent {
  return userEventCheck(value);
}

/** True when `adminEventSchema.parse(value)` would succeed and equal `value`, member order included. */
export function isCanonicalAdminEvent(value: unknown): value is AdminEvent {
  return adminEventCheck(value);
}

/** True when `value` is an object `z.record(z.string(), z.unknown())` accepts and copies unchanged. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  return !Object.hasOwn(value, '__proto__');
}
