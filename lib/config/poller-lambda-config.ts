import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { LambdaConfig, LoadLambdaConfigOptions } from './lambda-config.js';
import { readLambdaSettings } from './lambda-settings.js';
import { loadPollerConfig } from './load-poller-config.js';
import { applyMpasSecret, readMpasSecret } from './mpas-secret.js';
import type { PollerConfig } from './poller-config-schema.js';

/**
 * The poller's `loadLambdaConfig` (lambda-config.ts): MPAS's settings from the environment, its
 * credentials from `MPAS_SECRET_ARN`'s secret; never the SIEM secret or the routes. A module of
 * its own so that the poller Lambda loads no code of the SIEM side (bench/cold-start.bench.ts).
 * Throws a {@link ConfigError}.
 */
export async function loadPollerLambdaConfig(options: LoadLambdaConfigOptions): Promise<LambdaConfig<PollerConfig>> {
  const env = options.env ?? process.env;
  const settings = readLambdaSettings(env);
  const merged: Record<string, string | undefined> = { ...env };
  const problems: ConfigProblem[] = [];
  if (settings.mpasSecretArn !== undefined) {
    const secret = await readMpasSecret(options.secrets, settings.mpasSecretArn, problems);
    if (secret) applyMpasSecret(merged, secret);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: loadPollerConfig({ env: merged }), settings };
}
