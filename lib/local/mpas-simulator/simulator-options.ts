import type { MpasEvent, Stream } from '../../mpas/event-schemas.js';
import type { Clock } from '../../time/clock.js';
import { systemClock } from '../../time/clock.js';
import { SimulatorUsageError } from './errors.js';

/** Which Keycloak the simulator plays: `modern` is >= 26.2 (epoch dates, direction, ids). */
export type ApiMode = 'modern' | 'legacy';

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
  /** Default 'modern'. */
  mode?: ApiMode;
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
  setMode(mode: ApiMode): void;
  readonly faults: FaultControls;
  /** Starts adding generated events at `clock.now()`; returns the function that stops it. */
  startLiveTraffic(options: LiveTrafficOptions): () => void;
  stats(): SimulatorStats;
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
  if (problems.length > 0) throw new SimulatorUsageError(`invalid MPAS simulator options: ${problems.join('; ')}`);
  return { port, clock: options.clock ?? systemClock, mode, realms, users, clients, tokenLifetimeMs, serverUtcOffsetMinutes, seed: options.seed ?? 1 };
}
