import type { PollerConfig } from '../config/app-config-schema.js';
import type { Clock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';
import { MpasClient } from '../sources/mpas/mpas-client.js';

/** The MPAS client that a configuration describes. */
export function mpasClientFromConfig(
  config: Pick<PollerConfig, 'mpas'>,
  options: { clock?: Clock; sleep?: Sleep; onRequest?: ConstructorParameters<typeof MpasClient>[0]['onRequest'] } = {},
): MpasClient {
  return new MpasClient({
    baseUrl: config.mpas.baseUrl,
    authRealm: config.mpas.authRealm,
    credentials: config.mpas.credentials,
    requestTimeoutMs: config.mpas.requestTimeoutMs,
    maxPageBytes: config.mpas.maxPageBytes,
    ...(config.mpas.caFile !== undefined ? { caFile: config.mpas.caFile } : {}),
    clock: options.clock,
    sleep: options.sleep,
    onRequest: options.onRequest,
  });
}
