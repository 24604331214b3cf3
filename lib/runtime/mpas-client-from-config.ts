import type { PollerConfig } from '../config/app-config-schema.js';
import { MpasClient } from '../sources/mpas/mpas-client.js';

type MpasClientOptions = ConstructorParameters<typeof MpasClient>[0];

/** The MPAS client that a configuration describes. */
export function mpasClientFromConfig(
  config: Pick<PollerConfig, 'mpas'>,
  options: Pick<MpasClientOptions, 'clock' | 'sleep' | 'onRequest' | 'retry'> = {},
): MpasClient {
  return new MpasClient({
    baseUrl: config.mpas.baseUrl,
    authRealm: config.mpas.authRealm,
    credentials: config.mpas.credentials,
    requestTimeoutMs: config.mpas.requestTimeoutMs,
    maxPageBytes: config.mpas.maxPageBytes,
    ...(config.mpas.caFile !== undefined ? { caFile: config.mpas.caFile } : {}),
    ...options,
  });
}
