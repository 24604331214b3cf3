import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import { seedFrom } from '../generators/random.js';
import { SimulatorUsageError, UnknownRealmError } from './errors.js';
import { FaultInjector } from './fault-injector.js';
import { startLiveTraffic } from './live-traffic.js';
import { RequestStats } from './request-stats.js';
import { createRequestListener } from './request-router.js';
import { DEFAULT_LEGACY_VERSION, DEFAULT_MODERN_VERSION, keycloakVersionTraits, resolveSimulatorOptions } from './simulator-options.js';
import type { ApiMode, LiveTrafficOptions, MpasSimulator, MpasSimulatorOptions, VersionTraits } from './simulator-options.js';
import { StreamEventStore } from './stream-event-store.js';
import { TokenIssuer } from './token-issuer.js';

/**
 * Starts an HTTP server on 127.0.0.1 that answers as Keycloak's token endpoint and admin event
 * endpoints do (both API generations), with switches for late commits, failures and live
 * traffic. Resolves once it listens.
 */
export async function startMpasSimulator(options: MpasSimulatorOptions): Promise<MpasSimulator> {
  const resolved = resolveSimulatorOptions(options);
  let traits: VersionTraits = resolved.traits;
  const stores = new Map<string, StreamEventStore>();
  for (const realm of resolved.realms) {
    for (const stream of ['user', 'admin'] as const) {
      // One seed per stream, so ties in one stream do not shift with traffic in another.
      stores.set(`${realm}#${stream}`, new StreamEventStore(seedFrom(resolved.seed, realm, stream), resolved.tieOrder));
    }
  }
  const serverClock = resolved.serverClock;

  /**
   * Keycloak's expired-events cleanup: DefaultDatastoreProviderFactory.setupScheduledTasks
   * schedules ClearExpiredEvents and ClearExpiredAdminEvents every `scheduled.interval` seconds
   * (default 900), from server start; ClearExpiredEvents deletes, per realm with events enabled
   * and an expiration, the rows with `time < System.currentTimeMillis() - expiration * 1000`
   * (JpaEventStoreProvider.clear(realm, olderThan)). Queries between two runs still see expired
   * events. With an injected clock no real timer can keep that time, so a run that has come due
   * by the server clock is done before the next request is answered, as of its due time.
   */
  const startedAt = serverClock.now();
  let cleanupsDone = 0;
  const clearExpired = (asOf: number): void => {
    for (const [key, store] of stores) {
      const seconds = key.endsWith('#admin') ? resolved.adminEventsExpirationSeconds : resolved.eventsExpirationSeconds;
      if (seconds !== undefined) store.removeOlderThan(asOf - seconds * 1000, asOf);
    }
  };
  const runDueCleanup = (): void => {
    if (resolved.eventsExpirationSeconds === undefined && resolved.adminEventsExpirationSeconds === undefined) return;
    const due = Math.floor((serverClock.now() - startedAt) / resolved.cleanupIntervalMs);
    if (due <= cleanupsDone) return;
    cleanupsDone = due;
    clearExpired(startedAt + due * resolved.cleanupIntervalMs);
  };
  const storeFor = (realm: string, stream: Stream): StreamEventStore | undefined => stores.get(`${realm}#${stream}`);
  const requireStore = (realm: string, stream: Stream): StreamEventStore => {
    const store = storeFor(realm, stream);
    if (!store) throw new UnknownRealmError(realm, resolved.realms);
    return store;
  };

  const tokens = new TokenIssuer(resolved);
  const faults = new FaultInjector(() => tokens.revokeAll());
  const stats = new RequestStats();
  const server = createServer(createRequestListener({ options: resolved, tokens, faults, stats, traits: () => traits, storeFor, runDueCleanup }));
  // Node's default. undici keeps an idle connection for the server's hint minus one second, so
  // the 1 s this was made every request to the simulator open a new connection.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const trafficStops = new Set<() => void>();

  const add = (realm: string, stream: Stream, events: readonly MpasEvent[], addOptions?: { visibleAt?: number }): void => {
    if (stream !== 'user' && stream !== 'admin') throw new SimulatorUsageError(`add: stream must be 'user' or 'admin', got '${String(stream)}'`, 'stream');
    // visibleAt is on the server's clock, like the commit it stands for.
    requireStore(realm, stream).add(events, serverClock.now(), addOptions?.visibleAt);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    add,
    setMode(next: ApiMode): void {
      if (next !== 'modern' && next !== 'legacy') throw new SimulatorUsageError(`setMode: mode must be 'modern' or 'legacy', got '${String(next)}'`, 'mode');
      traits = keycloakVersionTraits(next === 'legacy' ? DEFAULT_LEGACY_VERSION : DEFAULT_MODERN_VERSION) as VersionTraits;
    },
    setKeycloakVersion(version: string): void {
      const next = keycloakVersionTraits(version);
      if (typeof next === 'string') throw new SimulatorUsageError(`setKeycloakVersion: ${next}`, 'version');
      // Stored events keep their ids across an upgrade or downgrade; legacy versions leave them out.
      traits = next;
    },
    keycloakVersion: () => traits.version,
    clearExpiredEvents(): void {
      clearExpired(serverClock.now());
    },
    faults,
    startLiveTraffic(trafficOptions: LiveTrafficOptions): () => void {
      const realm = trafficOptions.realm ?? resolved.realms.find((name) => name !== 'master') ?? 'master';
      requireStore(realm, 'user');
      const stop = startLiveTraffic(
        { clock: serverClock, defaultRealm: realm, add: (r, s, events, visibleAt) => add(r, s, events, { visibleAt }) },
        { ...trafficOptions, realm },
      );
      const stopOnce = (): void => {
        stop();
        trafficStops.delete(stopOnce);
      };
      trafficStops.add(stopOnce);
      return stopOnce;
    },
    stats: () => stats.snapshot(),
    count: (realm: string, stream: Stream): number => {
      runDueCleanup();
      return requireStore(realm, stream).count(serverClock.now());
    },
    async close(): Promise<void> {
      for (const stop of [...trafficStops]) stop();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of clients (fetch pools them) would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
