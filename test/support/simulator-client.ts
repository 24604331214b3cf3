import { startMpasSimulator } from '../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../devtools/mpas-simulator/index.js';
import { MpasClient } from '../../lib/sources/mpas/mpas-client.js';
import type { MpasClientOptions } from '../../lib/sources/mpas/mpas-client.js';
import type { Clock } from '../../lib/core/time/clock.js';

/**
 * An MPAS client logged in to the simulator (or a server in front of it) as its default user, on
 * the test's clock, never sleeping between retries; `overrides` replaces any option.
 */
export function simulatorClient(simulator: Pick<MpasSimulator, 'url'>, clock: Clock, overrides: Partial<MpasClientOptions> = {}): MpasClient {
  return new MpasClient({
    baseUrl: simulator.url,
    authRealm: 'master',
    credentials: { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'mpas-log-sync' },
    clock,
    sleep: async () => undefined,
    ...overrides,
  });
}

/** Starts the MPAS simulator with the realm `acme` and the user `sync` (allowed to view events) that localRunEnv logs in as. */
export function startSimulatorForSync(password: string): Promise<MpasSimulator> {
  return startMpasSimulator({ realms: ['acme'], users: [{ username: 'sync', password, roles: ['view-events'] }] });
}
