import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MpasEvent, Stream } from '../../mpas/event-schemas.js';
import { seedFrom } from '../random.js';
import { SimulatorUsageError, UnknownRealmError } from './errors.js';
import { FaultInjector } from './fault-injector.js';
import { startLiveTraffic } from './live-traffic.js';
import { RequestStats } from './request-stats.js';
import { createRequestListener } from './request-router.js';
import { resolveSimulatorOptions } from './simulator-options.js';
import type { ApiMode, LiveTrafficOptions, MpasSimulator, MpasSimulatorOptions } from './simulator-options.js';
import { StreamEventStore } from './stream-event-store.js';
import { TokenIssuer } from './token-issuer.js';

/**
 * Starts an HTTP server on 127.0.0.1 that answers as Keycloak's token endpoint and admin event
 * endpoints do (both API generations), with switches for late commits, failures and live
 * traffic. Resolves once it listens.
 */
export async function startMpasSimulator(options: MpasSimulatorOptions): Promise<MpasSimulator> {
  const resolved = resolveSimulatorOptions(options);
  let mode: ApiMode = resolved.mode;
  const stores = new Map<string, StreamEventStore>();
  for (const realm of resolved.realms) {
    for (const stream of ['user', 'admin'] as const) {
      // One seed per stream, so ties in one stream do not shift with traffic in another.
      stores.set(`${realm}#${stream}`, new StreamEventStore(seedFrom(resolved.seed, realm, stream)));
    }
  }
  const storeFor = (realm: string, stream: Stream): StreamEventStore | undefined => stores.get(`${realm}#${stream}`);
  const requireStore = (realm: string, stream: Stream): StreamEventStore => {
    const store = storeFor(realm, stream);
    if (!store) throw new UnknownRealmError(realm, resolved.realms);
    return store;
  };

  const tokens = new TokenIssuer(resolved);
  const faults = new FaultInjector(() => tokens.revokeAll());
  const stats = new RequestStats();
  const server = createServer(createRequestListener({ options: resolved, tokens, faults, stats, mode: () => mode, storeFor }));
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
    requireStore(realm, stream).add(events, resolved.clock.now(), addOptions?.visibleAt);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    add,
    setMode(next: ApiMode): void {
      if (next !== 'modern' && next !== 'legacy') throw new SimulatorUsageError(`setMode: mode must be 'modern' or 'legacy', got '${String(next)}'`, 'mode');
      mode = next;
    },
    faults,
    startLiveTraffic(trafficOptions: LiveTrafficOptions): () => void {
      const realm = trafficOptions.realm ?? resolved.realms.find((name) => name !== 'master') ?? 'master';
      requireStore(realm, 'user');
      const stop = startLiveTraffic(
        { clock: resolved.clock, defaultRealm: realm, add: (r, s, events, visibleAt) => add(r, s, events, { visibleAt }) },
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
    count: (realm: string, stream: Stream): number => requireStore(realm, stream).count(resolved.clock.now()),
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
