import type { AdminEvent, UserEvent } from '../../lib/core/events/event-schemas.js';
import { fakeAdmin, generateAdminEvent } from './admin-event-generator.js';
import type { FakeAdmin } from './admin-event-generator.js';
import { fakeIpAddress, fakePerson, realmIdFor } from './fake-identities.js';
import type { FakePerson } from './fake-identities.js';
import { generateUserEvent } from './user-event-generator.js';
import { createRandom } from './random.js';
import type { Random } from './random.js';

export { generateUserEvent } from './user-event-generator.js';
export type { UserEventOptions, GeneratedUserEventType } from './user-event-generator.js';
export { generateAdminEvent } from './admin-event-generator.js';
export type { AdminEventOptions, AdminOperationName, FakeAdmin } from './admin-event-generator.js';
export { realmIdFor } from './fake-identities.js';

/** What `generateEvents` makes. */
export interface GenerateEventsOptions {
  /** Same seed, same events (ids included). */
  seed: number;
  /** The realm's name; events carry its internal id (`realmIdFor(realm)`). */
  realm: string;
  /** How many events in all, user and admin together. */
  count: number;
  /** Epoch milliseconds of the first event. */
  startTime: number;
  /** Milliseconds between consecutive events; 0 puts them all in one millisecond. Default 250. */
  spacingMs?: number;
  /** The share of admin events, 0..1. Default 0.1. */
  adminShare?: number;
  /** Whether events carry an `id` (modern Keycloak); default true. */
  withIds?: boolean;
}

/** A realm's people, admins and their usual addresses, so events about one person recur. */
interface Population {
  people: FakePerson[];
  homeIp: Map<string, string>;
  admins: FakeAdmin[];
}

function populationOf(random: Random, realmId: string, size: number): Population {
  const people = Array.from({ length: size }, () => fakePerson(random));
  const homeIp = new Map(people.map((person) => [person.userId, fakeIpAddress(random)] as const));
  const admins = Array.from({ length: 3 }, () => fakeAdmin(random, realmId));
  return { people, homeIp, admins };
}

/** Where a generated event belongs and the event itself. */
export type GeneratedEvent = { stream: 'user'; event: UserEvent } | { stream: 'admin'; event: AdminEvent };

/** An endless, seeded source of events for one realm (what `generateEvents` and live traffic draw from). */
export interface EventSource {
  /** The next event, happening at `time`. */
  next(time: number): GeneratedEvent;
}

/** Options of `createEventSource`. */
export interface EventSourceOptions {
  seed: number;
  realm: string;
  /** Default 0.1. */
  adminShare?: number;
  /** How many distinct people act in the realm. Default 50. */
  populationSize?: number;
  /** Default true. */
  withIds?: boolean;
}

/**
 * A source of realistic events for one realm. A small population of people recurs (usually
 * from the same address), so a SIEM-side correlation or a hash-mode redaction has something
 * to show; admins act on those same people.
 */
export function createEventSource(options: EventSourceOptions): EventSource {
  const adminShare = options.adminShare ?? 0.1;
  if (!(adminShare >= 0 && adminShare <= 1)) throw new RangeError(`adminShare must be within 0..1, got ${adminShare}`);
  const random = createRandom(options.seed);
  const realmId = realmIdFor(options.realm);
  const population = populationOf(random, realmId, Math.max(1, options.populationSize ?? 50));
  const withId = options.withIds ?? true;
  return {
    next(time: number): GeneratedEvent {
      const person = random.pick(population.people);
      if (random.chance(adminShare)) {
        return { stream: 'admin', event: generateAdminEvent(random, { realmId, time, person, admin: random.pick(population.admins), withId }) };
      }
      const ipAddress = random.chance(0.8) ? population.homeIp.get(person.userId) : undefined;
      return { stream: 'user', event: generateUserEvent(random, { realmId, time, person, withId, ...(ipAddress ? { ipAddress } : {}) }) };
    },
  };
}

/**
 * A realistic stream of both kinds of events for one realm, in time order: event `i` happens at
 * `startTime + i * spacingMs`. Same seed, same events, ids included.
 */
export function generateEvents(options: GenerateEventsOptions): { user: UserEvent[]; admin: AdminEvent[] } {
  const { seed, realm, count, startTime } = options;
  const spacingMs = options.spacingMs ?? 250;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`generateEvents: count must be a non-negative integer, got ${count}`);
  if (!(spacingMs >= 0)) throw new RangeError(`generateEvents: spacingMs must be >= 0, got ${spacingMs}`);
  const source = createEventSource({
    seed, realm, adminShare: options.adminShare ?? 0.1, withIds: options.withIds ?? true,
    populationSize: Math.max(5, Math.min(500, Math.ceil(count / 20))),
  });
  const user: UserEvent[] = [];
  const admin: AdminEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const generated = source.next(startTime + Math.floor(i * spacingMs));
    if (generated.stream === 'user') user.push(generated.event);
    else admin.push(generated.event);
  }
  return { user, admin };
}
