import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import type { Clock } from '../../lib/core/time/clock.js';
import { systemClock } from '../../lib/core/time/clock.js';
import { SimulatorUsageError } from './errors.js';

/** Which Keycloak API generation the simulator plays: `modern` is >= 26.2 (epoch dates, direction, ids). */
export type ApiMode = 'modern' | 'legacy';

/**
 * A Keycloak release the simulator can play: '24', '25', '26.0', '26.1', '26.2.0', '26.2'
 * (26.2.1 and later), '26.3', '26.4', ... Patch releases other than 26.2.0 behave as their minor.
 */
export type KeycloakVersion = string;

/** The order of same-millisecond events: a new order per request (as a database gives) or one fixed order. */
export type TieOrder = 'shuffled' | 'stable';

/** What a Keycloak version does differently, derived from its number (docs/keycloak-api.md). */
export interface VersionTraits {
  /** The version as given, normalised ('26.2' for 26.2.1+). */
  readonly version: string;
  /** legacy below 26.2 (RealmAdminResource with SimpleDateFormat), modern from 26.2 (DateUtil). */
  readonly generation: ApiMode;
  /**
   * Legacy user events: dateTo is 23:59:59.999 of its day (JpaEventQuery.toDate(Date), 26.0 and
   * 26.1, keycloak#30414); before 26.0 it is 00:00:00.000 of that day.
   */
  readonly userDateToEndOfDay: boolean;
  /** 26.2.0 only: a yyyy-MM-dd dateTo matches nothing (keycloak#38911, fixed in 26.2.1). */
  readonly dateOnlyToMatchesNothing: boolean;
}

/** The default legacy release `mode: 'legacy'` stands for: the last one before the 26.2 API. */
export const DEFAULT_LEGACY_VERSION = '26.1';
/** The release `mode: 'modern'` stands for. */
export const DEFAULT_MODERN_VERSION = '26.2';

/** The traits of a Keycloak version, or a message saying why it is not one the simulator plays. */
export function keycloakVersionTraits(version: string): VersionTraits | string {
  const match = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/.exec(String(version));
  if (!match) return `keycloakVersion must look like '24', '26.1', '26.2.0' or '26.3', got '${String(version)}'`;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? undefined : Number(match[2]);
  const patch = match[3] === undefined ? undefined : Number(match[3]);
  if (major < 24) return `keycloakVersion must be 24 or later, got '${version}'`;
  if (major === 26 && minor === undefined) return `keycloakVersion 26 needs its minor release ('26.0' ... '26.4'), got '${version}'`;
  const modern = major > 26 || (major === 26 && (minor ?? 0) >= 2);
  const is2620 = major === 26 && minor === 2 && patch === 0;
  const normalised = major === 26 ? `26.${minor}${is2620 ? '.0' : ''}` : minor === undefined ? String(major) : `${major}.${minor}`;
  return {
    version: normalised,
    generation: modern ? 'modern' : 'legacy',
    userDateToEndOfDay: !modern && major === 26,
    dateOnlyToMatchesNothing: is2620,
  };
}

/** The long tail of commit delays: most events a few ms late, `share` of them up to `maxMs`. */
export interface LateCommitOptions {
  /** Share (0..1) of events committed late by seconds. */
  share: number;
  /** The latest such a commit comes, in ms (Keycloak's transaction timeout is 300 s). */
  maxMs: number;
  /** Every other event is committed uniformly within [0, typicalMs]. Default 5. */
  typicalMs?: number;
}

/** A user that can obtain tokens with the password grant. */
export interface SimulatedUser {
  /** Default 'master'. */
  realm?: string;
  username: string;
  password: string;
  /** Realm roles, e.g. 'view-events'. */
  roles: string[];
}

/** A confidential client with a service account (client credentials grant). */
export interface SimulatedClient {
  /** Default 'master'. */
  realm?: string;
  clientId: string;
  secret: string;
  /** The service account's roles. */
  roles: string[];
}

/** How to start the simulator. */
export interface MpasSimulatorOptions {
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /** Default systemClock; token expiry and late commits follow it. */
  clock?: Clock;
  /** Default 'modern'. Kept for older callers: 'legacy' plays 26.1, 'modern' 26.2 (see keycloakVersion). */
  mode?: ApiMode;
  /** The Keycloak release to play; wins over `mode`. Default from `mode`, else '26.2'. */
  keycloakVersion?: KeycloakVersion;
  /** Default 'shuffled': same-millisecond events come back in a new order on every request. */
  tieOrder?: TieOrder;
  /** The server's clock runs this many ms ahead of `clock` (negative: behind). Default 0. */
  clockSkewMs?: number;
  /** Events older than this many seconds are removed by the periodic cleanup. Default: kept forever. */
  eventsExpirationSeconds?: number;
  /** Admin events' own expiration (realm attribute adminEventsExpiration). Default: eventsExpirationSeconds. */
  adminEventsExpirationSeconds?: number;
  /** How often the expired-events cleanup runs, by the server clock. Default 900_000 (Keycloak's scheduled.interval 900 s). */
  cleanupIntervalMs?: number;
  /** The realms that hold events ('master' always exists for logging in). */
  realms: string[];
  /** Default: `mpas-log-sync` / `mpas-log-sync` in master with role `view-events`. */
  users?: SimulatedUser[];
  clients?: SimulatedClient[];
  /** Default 60_000. */
  tokenLifetimeMs?: number;
  /** The server's zone for `yyyy-MM-dd` dates, in minutes east of UTC. Default 0. */
  serverUtcOffsetMinutes?: number;
  /** Seeds the order of same-millisecond ties. Default 1. */
  seed?: number;
}

/** `faults.failNext`: the next `count` matching requests fail with `status`. */
export interface FailNextOptions {
  count: number;
  status: 429 | 500 | 502 | 503;
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Default 'any'. */
  endpoint?: 'token' | 'events' | 'admin-events' | 'any';
}

/** Switches for failure injection. */
export interface FaultControls {
  failNext(options: FailNextOptions): void;
  /** Delays every response by `ms` on the real timer (0 turns it off). */
  setLatency(ms: number): void;
  /** Forgets every issued token: the next admin call gets 401, as with an expired token. */
  revokeAllTokens(): void;
  /** The next `count` event responses (either stream) are 200s whose body is not a valid event array. */
  setMalformedNext(count: number): void;
  /** Fails this share (0..1) of event requests with 503, drawn from `random` (0 turns it off). */
  setFailRate(rate: number, random: () => number): void;
}

/** `startLiveTraffic`: a steady flow of generated events, for the demo and the lag benchmark. */
export interface LiveTrafficOptions {
  eventsPerSecond: number;
  /** Default: the first realm. */
  realm?: string;
  /** Each event becomes visible this many ms (uniform in [min, max]) after its `time`. Default [0, 250]. */
  commitDelayMs?: [number, number];
  /** A long tail of commit delays instead of `commitDelayMs`: most a few ms, `share` up to `maxMs`. */
  lateCommits?: LateCommitOptions;
  /** Default 1. */
  seed?: number;
  /** Share of admin events. Default 0.1. */
  adminShare?: number;
}

/** The routes the simulator answers, for `stats()`. */
export type SimulatorRoute = 'token' | 'events' | 'admin-events' | 'other';

/** What the simulator has served so far. */
export interface SimulatorStats {
  /** Responses by route, then by HTTP status. */
  requests: Record<SimulatorRoute, Record<number, number>>;
  /** Events returned in 200 responses, by stream. */
  eventsServed: Record<Stream, number>;
}

/** A running simulator. */
export interface MpasSimulator {
  /** Base URL, no trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stores events; with `visibleAt` after their `time`, they stay hidden until the clock reaches it. */
  add(realm: string, stream: Stream, events: readonly MpasEvent[], options?: { visibleAt?: number }): void;
  /** Switches the API generation in place: 'legacy' plays 26.1, 'modern' 26.2. */
  setMode(mode: ApiMode): void;
  /** Upgrades (or downgrades) the played Keycloak in place; stored events keep their ids. */
  setKeycloakVersion(version: KeycloakVersion): void;
  /** The Keycloak release played now, normalised. */
  keycloakVersion(): string;
  readonly faults: FaultControls;
  /** Starts adding generated events at `clock.now()`; returns the function that stops it. */
  startLiveTraffic(options: LiveTrafficOptions): () => void;
  stats(): SimulatorStats;
  /** Runs the expired-events cleanup now, by the server clock, as a scheduled run would. */
  clearExpiredEvents(): void;
  /** Events of a stream visible now. */
  count(realm: string, stream: Stream): number;
  close(): Promise<void>;
}

/** The options with every default filled in. */
export interface ResolvedSimulatorOptions {
  port: number;
  clock: Clock;
  mode: ApiMode;
  realms: string[];
  users: Array<Required<SimulatedUser>>;
  clients: Array<Required<SimulatedClient>>;
  tokenLifetimeMs: number;
  serverUtcOffsetMinutes: number;
  seed: number;
  traits: VersionTraits;
  tieOrder: TieOrder;
  clockSkewMs: number;
  /** The server's clock: `clock` plus the skew. */
  serverClock: Clock;
  eventsExpirationSeconds: number | undefined;
  adminEventsExpirationSeconds: number | undefined;
  cleanupIntervalMs: number;
}

/** Fills in defaults and rejects options that cannot work, naming each one. */
export function resolveSimulatorOptions(options: MpasSimulatorOptions): ResolvedSimulatorOptions {
  const problems: string[] = [];
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be an integer 0..65535, got ${port}`);
  if (!Array.isArray(options.realms)) problems.push('realms must be an array of realm names');
  const realms = [...new Set(['master', ...(options.realms ?? [])])];
  if (realms.some((realm) => typeof realm !== 'string' || realm.length === 0)) problems.push('realms must hold non-empty names');
  const users = (options.users ?? [{ username: 'mpas-log-sync', password: 'mpas-log-sync', roles: ['view-events'] }]).map((user) => ({ realm: 'master', ...user }));
  const clients = (options.clients ?? []).map((client) => ({ realm: 'master', ...client }));
  for (const holder of [...users, ...clients]) {
    if (!realms.includes(holder.realm)) problems.push(`users/clients: realm '${holder.realm}' is not in realms`);
  }
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 60_000;
  if (!(tokenLifetimeMs > 0)) problems.push(`tokenLifetimeMs must be > 0, got ${tokenLifetimeMs}`);
  const serverUtcOffsetMinutes = options.serverUtcOffsetMinutes ?? 0;
  if (!Number.isInteger(serverUtcOffsetMinutes) || Math.abs(serverUtcOffsetMinutes) > 14 * 60) {
    problems.push(`serverUtcOffsetMinutes must be an integer within ±840, got ${serverUtcOffsetMinutes}`);
  }
  const mode = options.mode ?? 'modern';
  if (mode !== 'modern' && mode !== 'legacy') problems.push(`mode must be 'modern' or 'legacy', got '${String(mode)}'`);
  const traitsOrProblem = keycloakVersionTraits(options.keycloakVersion ?? (mode === 'legacy' ? DEFAULT_LEGACY_VERSION : DEFAULT_MODERN_VERSION));
  if (typeof traitsOrProblem === 'string') problems.push(traitsOrProblem);
  const tieOrder = options.tieOrder ?? 'shuffled';
  if (tieOrder !== 'shuffled' && tieOrder !== 'stable') problems.push(`tieOrder must be 'shuffled' or 'stable', got '${String(tieOrder)}'`);
  const clockSkewMs = options.clockSkewMs ?? 0;
  if (!Number.isInteger(clockSkewMs)) problems.push(`clockSkewMs must be an integer, got ${clockSkewMs}`);
  for (const [name, value] of [['eventsExpirationSeconds', options.eventsExpirationSeconds], ['adminEventsExpirationSeconds', options.adminEventsExpirationSeconds]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) problems.push(`${name} must be an integer > 0, got ${value}`);
  }
  const cleanupIntervalMs = options.cleanupIntervalMs ?? 900_000;
  if (!(Number.isInteger(cleanupIntervalMs) && cleanupIntervalMs > 0)) problems.push(`cleanupIntervalMs must be an integer > 0, got ${cleanupIntervalMs}`);
  if (problems.length > 0 || typeof traitsOrProblem === 'string') throw new SimulatorUsageError(`invalid MPAS simulator options: ${problems.join('; ')}`);
  const clock = options.clock ?? systemClock;
  const serverClock: Clock = clockSkewMs === 0 ? clock : { now: () => clock.now() + clockSkewMs };
  return {
    port, clock, mode: traitsOrProblem.generation, realms, users, clients, tokenLifetimeMs, serverUtcOffsetMinutes, seed: options.seed ?? 1,
    traits: traitsOrProblem, tieOrder, clockSkewMs, serverClock,
    eventsExpirationSeconds: options.eventsExpirationSeconds,
    adminEventsExpirationSeconds: options.adminEventsExpirationSeconds ?? options.eventsExpirationSeconds,
    cleanupIntervalMs,
  };
}
