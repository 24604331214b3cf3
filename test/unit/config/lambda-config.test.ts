import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { loadLambdaConfig, withSecrets } from '../../../lib/config/lambda-config.js';
import type { SecretProvider } from '../../../lib/config/lambda-config.js';
import { readLambdaSettings } from '../../../lib/config/lambda-settings.js';

const MPAS_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:mpas';
const SIEM_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:siem';
const BASE_ENV = {
  TENANT: 'acme',
  MPAS_BASE_URL: 'https://mpas.example.com',
  MPAS_REALMS: 'acme',
  SIEM_URL: 'https://siem.example.com/ingest',
  MPAS_SECRET_ARN: MPAS_ARN,
  SIEM_SECRET_ARN: SIEM_ARN,
};

/** A secrets provider over a fixed map: the ARN's text, or undefined. */
function secretsOf(values: Record<string, unknown>): SecretProvider {
  return async (arn) => {
    const value = values[arn];
    return typeof value === 'string' || value === undefined ? value : JSON.stringify(value);
  };
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map(({ setting, message }) => `${setting}: ${message}`);
}

describe('loadLambdaConfig', () => {
  it('fills the MPAS password grant and the SIEM bearer token from the secrets', async () => {
    const { config } = await loadLambdaConfig({
      env: BASE_ENV,
      secrets: secretsOf({ [MPAS_ARN]: { username: 'sync', password: 'pw 1' }, [SIEM_ARN]: { token: 't0ken' } }),
    });
    expect(config.mpas.credentials).toMatchObject({ grant: 'password', username: 'sync', password: 'pw 1' });
    expect(config.siem.auth).toEqual({ kind: 'bearer', token: 't0ken' });
  });

  it('fills client credentials and a header or basic SIEM auth from the other secret shapes', async () => {
    const header = await loadLambdaConfig({
      env: { ...BASE_ENV, MPAS_CLIENT_ID: 'mpas-log-sync' },
      secrets: secretsOf({ [MPAS_ARN]: { clientSecret: 's3cret' }, [SIEM_ARN]: { authHeader: 'X-Api-Key: k3y' } }),
    });
    expect(header.config.mpas.credentials).toMatchObject({ grant: 'client_credentials', clientId: 'mpas-log-sync', clientSecret: 's3cret' });
    expect(header.config.siem.auth).toEqual({ kind: 'header', name: 'X-Api-Key', value: 'k3y' });
    const basic = await loadLambdaConfig({
      env: BASE_ENV,
      secrets: secretsOf({ [MPAS_ARN]: { username: 'u', password: 'p' }, [SIEM_ARN]: { username: 'siem', password: 'pw' } }),
    });
    expect(basic.config.siem.auth).toEqual({ kind: 'basic', username: 'siem', password: 'pw' });
    const apiKey = await loadLambdaConfig({
      env: { ...BASE_ENV, SIEM_TYPE: 'elastic', SIEM_API_KEY: 'stale' },
      secrets: secretsOf({ [MPAS_ARN]: { username: 'u', password: 'p' }, [SIEM_ARN]: { apiKey: 'a2V5OnNlY3JldA==' } }),
    });
    expect(apiKey.config.siem.auth).toEqual({ kind: 'apiKey', apiKey: 'a2V5OnNlY3JldA==' });
    const sentinel = await loadLambdaConfig({
      env: {
        ...BASE_ENV,
        SIEM_TYPE: 'sentinel',
        SIEM_CLIENT_SECRET: 'stale',
        SENTINEL_TENANT_ID: 'contoso.onmicrosoft.com',
        SENTINEL_CLIENT_ID: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a',
        SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef',
      },
      secrets: secretsOf({ [MPAS_ARN]: { username: 'u', password: 'p' }, [SIEM_ARN]: { clientSecret: 'Qx8Q~fresh' } }),
    });
    expect(sentinel.config.siem.auth).toEqual({ kind: 'clientSecret', clientSecret: 'Qx8Q~fresh' });
  });

  it('lets a secret replace the credentials of its group left in the environment, instead of clashing', async () => {
    const env = { ...BASE_ENV, SIEM_TOKEN: 'stale', MPAS_CLIENT_SECRET: 'stale' };
    const { config } = await loadLambdaConfig({
      env,
      secrets: secretsOf({ [MPAS_ARN]: { username: 'u', password: 'p' }, [SIEM_ARN]: { authHeader: 'X-Key: fresh' } }),
    });
    expect(config.siem.auth).toEqual({ kind: 'header', name: 'X-Key', value: 'fresh' });
    expect(config.mpas.credentials).toMatchObject({ grant: 'password', username: 'u' });
  });

  it('reports every bad secret at once under its variable, without the secret text', async () => {
    const problems = await problemsOf(
      loadLambdaConfig({ env: BASE_ENV, secrets: secretsOf({ [MPAS_ARN]: 'hunter2 not json', [SIEM_ARN]: { tokn: 'hunter2' } }) }),
    );
    expect(problems).toEqual([
      `MPAS_SECRET_ARN: the secret ${MPAS_ARN} is not JSON`,
      expect.stringMatching(/^SIEM_SECRET_ARN: the secret .* must be a JSON object with "token"/),
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('names the variable when a secret cannot be read or has no value', async () => {
    const failing: SecretProvider = async (arn) => {
      if (arn === MPAS_ARN) throw new Error('AccessDeniedException: not authorized to perform GetSecretValue');
      return undefined;
    };
    const problems = await problemsOf(loadLambdaConfig({ env: BASE_ENV, secrets: failing }));
    expect(problems).toEqual([
      expect.stringMatching(/^MPAS_SECRET_ARN: the secret .* cannot be read: AccessDeniedException/),
      `SIEM_SECRET_ARN: the secret ${SIEM_ARN} has no value`,
    ]);
  });

  it('loads the forwarder without reading the MPAS secret, whatever MPAS credentials the environment holds', async () => {
    const asked: string[] = [];
    const secrets: SecretProvider = async (arn) => {
      asked.push(arn);
      if (arn === MPAS_ARN) throw new Error('AccessDeniedException: the forwarder may not read the MPAS secret');
      return JSON.stringify({ token: 't0ken' });
    };
    for (const env of [BASE_ENV, { ...BASE_ENV, MPAS_CLIENT_ID: 'mpas-log-sync', MPAS_CLIENT_SECRET: 'left-over' }]) {
      const { config } = await loadLambdaConfig({ env, secrets, role: 'forwarder' });
      // The forwarder's configuration has no MPAS part at all: nothing to stand in for the credentials.
      expect(config).not.toHaveProperty('mpas');
      expect(JSON.stringify(config)).not.toContain('left-over');
      expect(config.siem.auth).toEqual({ kind: 'bearer', token: 't0ken' });
    }
    expect(asked).toEqual([SIEM_ARN, SIEM_ARN]);
    // The poller (the default role) still needs the MPAS secret.
    const problems = await problemsOf(loadLambdaConfig({ env: BASE_ENV, secrets }));
    expect(problems).toEqual([expect.stringMatching(/^MPAS_SECRET_ARN: the secret .* cannot be read: AccessDeniedException/)]);
    const { MPAS_SECRET_ARN: _unused, ...withoutMpasSecret } = BASE_ENV;
    expect(await problemsOf(loadLambdaConfig({ env: withoutMpasSecret, secrets, role: 'poller' }))).toEqual([expect.stringMatching(/^MPAS_USERNAME or MPAS_CLIENT_SECRET: is required/)]);
  });

  it('leaves the environment alone when no secret ARN is set', async () => {
    const env = { TENANT: 'acme', SIEM_TOKEN: 'from-env' };
    const merged = await withSecrets(env, readLambdaSettings(env), async () => {
      throw new Error('must not be called');
    });
    expect(merged).toEqual(env);
  });
  it('loads the poller without the SIEM secret, whatever SIEM the tenant uses, never asking for it', async () => {
    const asked: string[] = [];
    const secrets: SecretProvider = async (arn) => {
      asked.push(arn);
      return JSON.stringify({ username: 'sync', password: 'pw 1' });
    };
    // A Splunk HEC needs a token the poller is not given: the poller reads no SIEM setting.
    const env = { ...BASE_ENV, SIEM_TYPE: 'splunk-hec', SPLUNK_INDEX: 'security' };
    const { config } = await loadLambdaConfig({ env, secrets, role: 'poller' });
    expect(asked).toEqual([MPAS_ARN]);
    expect(config).not.toHaveProperty('siem');
    expect(config.mpas.credentials).toMatchObject({ grant: 'password', username: 'sync' });
  });
});

describe('readLambdaSettings', () => {
  it('has defaults for the budget share, the idempotency TTL and the backoff', () => {
    expect(readLambdaSettings({})).toEqual({ pollBudgetShare: 0.8, idempotencyTtlSeconds: 345_600, retryBaseSeconds: 30, retryMaxSeconds: 43_200 });
  });

  it('names each bad variable and what is wrong', () => {
    const read = (): unknown => readLambdaSettings({ POLL_BUDGET_SHARE: '1.5', IDEMPOTENCY_TTL_SECONDS: 'soon', RETRY_MAX_SECONDS: '50000' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (error) {
      expect((error as ConfigError).problems.map(({ setting }) => setting)).toEqual(['POLL_BUDGET_SHARE', 'IDEMPOTENCY_TTL_SECONDS', 'RETRY_MAX_SECONDS']);
    }
  });

});
