import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import type { SecretProvider } from '../../../lib/config/lambda-config.js';

const SIEM_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:siem';
const QRADAR_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:qradar';
const BASE_ENV = { TENANT: 'acme', MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'acme' };
const QRADAR = { name: 'qradar', siem: { type: 'https', url: 'https://qradar.example.com/ingest', format: 'cef', auth: { kind: 'bearer' } } };
const WEBHOOK = { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } } };

/** A secrets provider over a fixed map (objects as JSON text), recording what it was asked for. */
function secretsOf(values: Record<string, unknown>, asked: string[] = []): SecretProvider {
  return async (arn) => {
    asked.push(arn);
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

describe('routesFromEnvironment', () => {
  it('configures two routes from ROUTES alone, each with its secret from ROUTE_SECRET_ARNS', async () => {
    const { config } = await loadLambdaConfig({
      env: { ...BASE_ENV, ROUTES: JSON.stringify([QRADAR, WEBHOOK]), ROUTE_SECRET_ARNS: JSON.stringify({ qradar: QRADAR_ARN }) },
      secrets: secretsOf({ [QRADAR_ARN]: { token: 'q-t0ken' } }),
      role: 'forwarder',
    });
    expect(config.routes?.map((route) => route.name)).toEqual(['qradar', 'webhook']);
    expect(config.routes?.[0]?.siem).toMatchObject({ url: 'https://qradar.example.com/ingest', format: 'cef', auth: { kind: 'bearer', token: 'q-t0ken' } });
    expect(config.routes?.[1]?.siem.auth).toEqual({ kind: 'none' });
    expect(config.routes?.[1]?.filter).toEqual(WEBHOOK.filter);
    // Without SIEM_URL the routes are the only destinations.
    expect(config.defaultRoute).toBe(false);
  });

  it('keeps the default route beside the routes when SIEM_URL is set, with its own secret', async () => {
    const { config } = await loadLambdaConfig({
      env: { ...BASE_ENV, SIEM_URL: 'https://siem.example.com/in', SIEM_SECRET_ARN: SIEM_ARN, ROUTES: JSON.stringify([WEBHOOK]) },
      secrets: secretsOf({ [SIEM_ARN]: { token: 'main' } }),
      role: 'forwarder',
    });
    expect(config.siem).toMatchObject({ url: 'https://siem.example.com/in', auth: { kind: 'bearer', token: 'main' } });
    expect(config.defaultRoute).toBeUndefined();
    expect(config.routes?.map((route) => route.name)).toEqual(['webhook']);
  });

  it('turns every SIEM secret shape into the route\'s auth, replacing what ROUTES said', async () => {
    const cases: Array<[unknown, Record<string, unknown>, unknown]> = [
      [{ authHeader: 'X-Api-Key:  k3y ' }, {}, { kind: 'header', name: 'X-Api-Key', value: 'k3y' }],
      [{ username: 'siem', password: 'p w' }, { auth: { kind: 'bearer', token: 'stale' } }, { kind: 'basic', username: 'siem', password: 'p w' }],
      [{ apiKey: 'a2V5' }, { type: 'elastic' }, { kind: 'apiKey', apiKey: 'a2V5' }],
    ];
    for (const [secret, siem, auth] of cases) {
      const route = { name: 'r1', siem: { url: 'https://siem.example.com/x', ...siem } };
      const { config } = await loadLambdaConfig({
        env: { ...BASE_ENV, ROUTES: JSON.stringify([route]), ROUTE_SECRET_ARNS: JSON.stringify({ r1: 'r1-secret' }) },
        secrets: secretsOf({ 'r1-secret': secret }),
        role: 'forwarder',
      });
      expect(config.routes?.[0]?.siem.auth, JSON.stringify(secret)).toEqual(auth);
    }
  });

  it('names ROUTES and the JSON path of a bad route setting, never quoting a secret', async () => {
    const bad = [
      { name: 'Qradar', siem: { url: 'ftp://x' } },
      { name: 'hook', siem: { url: 'https://h.example.com', auth: { kind: 'header', name: 'X-Key', value: '' } }, colour: 'red' },
    ];
    const problems = await problemsOf(loadLambdaConfig({ env: { ...BASE_ENV, ROUTES: JSON.stringify(bad) }, secrets: secretsOf({}), role: 'forwarder' }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ROUTES\[0\]\.name: must be 1 to 40 lowercase letters/),
        expect.stringMatching(/^ROUTES\[0\]\.siem\.url: /),
        'ROUTES[1].colour: is not a known setting',
        expect.stringMatching(/^ROUTES\[1\]\.siem\.auth\.value: [^,]*$/),
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/got ""|got "ftp:\/\/x".*auth/);
  });

  it('reports ROUTES that is not JSON or not a list, with the place and without the text', async () => {
    const notJson = await problemsOf(loadLambdaConfig({ env: { ...BASE_ENV, ROUTES: '[{"name": hunter2}]' }, secrets: secretsOf({}) }));
    expect(notJson).toEqual(['ROUTES: is not valid JSON: unexpected character at line 1 column 11']);
    const notList = await problemsOf(loadLambdaConfig({ env: { ...BASE_ENV, ROUTES: '{"name": "x"}' }, secrets: secretsOf({}) }));
    expect(notList).toEqual([expect.stringMatching(/^ROUTES: must be a JSON list of routes/)]);
  });

  it('reports every route secret problem at once, with the SIEM secret\'s, named by route and never with the value', async () => {
    const env = {
      ...BASE_ENV,
      SIEM_URL: 'https://siem.example.com/in',
      SIEM_SECRET_ARN: SIEM_ARN,
      ROUTES: JSON.stringify([QRADAR, WEBHOOK, { ...WEBHOOK, name: 'hook2' }]),
      ROUTE_SECRET_ARNS: JSON.stringify({ qradar: QRADAR_ARN, webhook: 'webhook-secret', hook2: 'hook2-secret', gone: 'gone-secret' }),
    };
    const problems = await problemsOf(
      loadLambdaConfig({
        env,
        secrets: secretsOf({ [SIEM_ARN]: 'not json s3cret', [QRADAR_ARN]: { tokn: 's3cret' }, 'webhook-secret': { authHeader: 's3cret-no-colon' } }),
        role: 'forwarder',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        `SIEM_SECRET_ARN: the secret ${SIEM_ARN} is not JSON`,
        expect.stringMatching(new RegExp(`^ROUTE_SECRET_ARNS\\.qradar: the secret ${QRADAR_ARN} must be a JSON object with "token"`)),
        'ROUTE_SECRET_ARNS.webhook: the secret webhook-secret: must look like "Name: value", such as "X-Api-Key: <key>"',
        'ROUTE_SECRET_ARNS.hook2: the secret hook2-secret has no value',
        'ROUTE_SECRET_ARNS: "gone" names no route of ROUTES',
      ]),
    );
    expect(problems, problems.join('\n')).toHaveLength(5);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('refuses ROUTE_SECRET_ARNS that is not an object of names to secret ids', async () => {
    for (const text of ['["arn"]', '{"qradar": ""}', '{"qradar": 1}']) {
      const problems = await problemsOf(
        loadLambdaConfig({ env: { ...BASE_ENV, ROUTES: JSON.stringify([QRADAR]), ROUTE_SECRET_ARNS: text }, secrets: secretsOf({}) }),
      );
      expect(problems, text).toEqual([expect.stringMatching(/^ROUTE_SECRET_ARNS: must be a JSON object of route name to secret ARN or name/)]);
    }
  });

  it('reads no route secret and changes nothing without ROUTES', async () => {
    const asked: string[] = [];
    const { config } = await loadLambdaConfig({ env: { ...BASE_ENV, SIEM_URL: 'https://siem.example.com/in' }, secrets: secretsOf({}, asked), role: 'forwarder' });
    expect(config.routes).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
