import { startMpasSimulator } from '../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../devtools/siem-receiver/siem-receiver.js';

/** The realm every benchmark's events live in. */
export const BENCH_REALM = 'acme';
/** The MPAS user the runners log in as (the simulator's default, never a real credential). */
export const BENCH_MPAS_USER = { username: 'mpas-log-sync', password: 'mpas-log-sync' };
/** The SIEM token the receiver expects (test value). */
export const BENCH_SIEM_TOKEN = 'bench-siem-token';

/** The outside world of a runner: an MPAS simulator and a SIEM receiver on loopback. */
export interface LocalWorld {
  simulator: MpasSimulator;
  receiver: SiemReceiver;
  close(): Promise<void>;
}

/** Starts both on free loopback ports. */
export async function startLocalWorld(seed = 1): Promise<LocalWorld> {
  const simulator = await startMpasSimulator({ realms: [BENCH_REALM], seed });
  const receiver = await startSiemReceiver({ auth: { bearerToken: BENCH_SIEM_TOKEN } });
  return {
    simulator,
    receiver,
    close: async () => {
      await receiver.close();
      await simulator.close();
    },
  };
}

/** The environment of a runner reading `world`'s MPAS and writing to its SIEM (NDJSON batches, as bulk delivery needs). */
export function runnerEnv(world: LocalWorld, options: { startFrom: number; pageSize: number; settleMs?: number; format?: 'json' | 'cef' }): Record<string, string> {
  return {
    TENANT: 'bench',
    MPAS_BASE_URL: world.simulator.url,
    MPAS_REALMS: BENCH_REALM,
    MPAS_AUTH_REALM: 'master',
    MPAS_USERNAME: BENCH_MPAS_USER.username,
    MPAS_PASSWORD: BENCH_MPAS_USER.password,
    MPAS_START_FROM: new Date(options.startFrom).toISOString(),
    MPAS_PAGE_SIZE: String(options.pageSize),
    MPAS_SETTLE_MS: String(options.settleMs ?? 5000),
    SIEM_URL: `${world.receiver.url}/ingest`,
    SIEM_TOKEN: BENCH_SIEM_TOKEN,
    SIEM_FORMAT: options.format ?? 'json',
    SIEM_BATCH: 'ndjson',
  };
}
