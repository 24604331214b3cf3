import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { grantSecurityLakeWrite } from '../../../../infra/constructs/function-grants.js';
import { compactedSecurityLakes, lakeCompactorConfig, stackStagingPrefixOf, withStackStaging } from '../../../../infra/constructs/security-lake-destinations.js';
import { appConfigSchema } from '../../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../../lib/config/app-config-schema.js';
import { forwarderEnvironment } from '../../../../lib/config/lambda-config.js';
import { loadLambdaConfig } from '../../../../lib/config/lambda-config.js';
import { lakeCompactionsFromConfig } from '../../../../lib/sinks/security-lake/lake-compactions.js';
import { configWithSiem } from '../../../support/route-fixtures.js';

const LAKE = { bucket: 'aws-security-data-lake-eu-west-1-abc123', region: 'eu-west-1', accountId: '111122223333' };
const OTHER_LAKE = { bucket: 'aws-security-data-lake-eu-west-1-def456', region: 'eu-west-1', accountId: '444455556666' };
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DEFAULT_SOURCES = ['mpas-account-change', 'mpas-authentication', 'mpas-entity-mgmt', 'mpas-user-access', 'mpas-group-mgmt', 'mpas-api-activity'];
const AREA = { bucket: 'tenant-large-payloads', region: 'eu-central-1' };

const config = configWithSiem;
const splunk = { name: 'splunk', siem: { type: 'https', url: 'https://siem.example.com/', auth: { kind: 'bearer', token: 'secret-token' } } };

/** Routes alone (no `siem`): the schema makes `siem` the first route's copy and defaultRoute false. */
function routesOnly(routes: unknown[]): AppConfig {
  return appConfigSchema.parse({
    tenant: 'acme',
    mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers'], credentials: { grant: 'password', username: 'u', password: 'p' } },
    routes,
  }) as AppConfig;
}

/** The compactor's environment as the stack writes it, loaded back as the Lambda loads it: its compactions by route. */
async function compactionsOfTheCompactor(of: AppConfig): Promise<Array<{ route: string; staging: string; lake: string }>> {
  const compactorConfig = lakeCompactorConfig(withStackStaging(of, AREA));
  expect(compactorConfig).toBeDefined();
  const env = forwarderEnvironment(compactorConfig!);
  // No secret: the compactor reads none (a route with auth is left out of its settings).
  const loaded = await loadLambdaConfig({ env, role: 'forwarder', secrets: async () => { throw new Error('the compactor reads no secret'); } });
  const compactions = await lakeCompactionsFromConfig(loaded.config);
  for (const compaction of compactions) compaction.close();
  return compactions.map(({ route, staging, lake }) => ({ route, staging, lake }));
}

describe('the Security Lake destinations the stack stages and compacts', () => {
  it('finds the lake of the siem destination, with its custom sources and interval; none for another type', () => {
    const lakes = compactedSecurityLakes(config(
      { type: 'security-lake', securityLake: { ...LAKE, sources: { '3002': 'keycloak-logins' }, kmsKeyArn: KEY, fileIntervalMinutes: 15 } },
      [splunk],
    ));
    const sources = ['mpas-account-change', 'keycloak-logins', 'mpas-entity-mgmt', 'mpas-user-access', 'mpas-group-mgmt', 'mpas-api-activity'];
    expect(lakes).toEqual({
      destinations: [{ route: 'default', stagingPrefix: 'security-lake-staging/', lake: { bucket: LAKE.bucket, sources, kmsKeyArn: KEY } }],
      lakes: [{ bucket: LAKE.bucket, sources, kmsKeyArn: KEY }],
      fileIntervalMinutes: 15,
    });
    expect(compactedSecurityLakes(config({ type: 'security-lake', securityLake: LAKE }))?.fileIntervalMinutes).toBe(5);
    expect(compactedSecurityLakes(config({ type: 'https', url: 'https://siem.example.com/' }))).toBeUndefined();
    expect(compactedSecurityLakes(config({ type: 'https', url: 'https://siem.example.com/' }, [splunk]))).toBeUndefined();
  });

  it('finds every route of type security-lake, each with a staging prefix of its own, the sources of a shared lake merged', () => {
    const lakes = compactedSecurityLakes(config(
      { type: 'security-lake', securityLake: LAKE },
      [
        splunk,
        { name: 'lake-two', siem: { type: 'security-lake', securityLake: { ...LAKE, sources: { '3002': 'keycloak-logins' } } } },
        { name: 'other-lake', siem: { type: 'security-lake', securityLake: { ...OTHER_LAKE, kmsKeyArn: KEY } } },
      ],
    ))!;
    expect(lakes.destinations.map(({ route, stagingPrefix, lake }) => `${route} ${stagingPrefix} ${lake.bucket}`)).toEqual([
      `default security-lake-staging/ ${LAKE.bucket}`,
      `lake-two security-lake-staging/routes/lake-two/ ${LAKE.bucket}`,
      `other-lake security-lake-staging/routes/other-lake/ ${OTHER_LAKE.bucket}`,
    ]);
    expect(lakes.lakes).toEqual([
      { bucket: LAKE.bucket, sources: [...DEFAULT_SOURCES, 'keycloak-logins'], kmsKeyArn: undefined },
      { bucket: OTHER_LAKE.bucket, sources: DEFAULT_SOURCES, kmsKeyArn: KEY },
    ]);
    // The routes alone: siem is the first route's copy, not a destination of its own.
    const alone = compactedSecurityLakes(routesOnly([{ name: 'lake', siem: { type: 'security-lake', securityLake: LAKE } }, splunk]))!;
    expect(alone.destinations.map(({ route, stagingPrefix }) => `${route} ${stagingPrefix}`)).toEqual(['lake security-lake-staging/routes/lake/']);
    expect(stackStagingPrefixOf('default')).toBe('security-lake-staging/');
  });

  it('refuses destinations that ask for different intervals, or one bucket with two keys, naming them', () => {
    expect(() => compactedSecurityLakes(config(
      { type: 'security-lake', securityLake: LAKE },
      [{ name: 'daily', siem: { type: 'security-lake', securityLake: { ...OTHER_LAKE, fileIntervalMinutes: 1440 } } }],
    ))).toThrow('tenant acme: the security-lake destinations ask for different fileIntervalMinutes (SECURITY_LAKE_FILE_INTERVAL_MINUTES: siem 5 min, route daily 1440 min)');
    expect(() => compactedSecurityLakes(config(
      { type: 'security-lake', securityLake: LAKE },
      [{ name: 'keyed', siem: { type: 'security-lake', securityLake: { ...LAKE, kmsKeyArn: KEY } } }],
    ))).toThrow(`tenant acme: siem and route keyed write the lake bucket ${LAKE.bucket} with different kmsKeyArn`);
  });

  it('stages every lake destination in the stack\'s area, whatever the tenant file said, and leaves the others alone', () => {
    const staged = withStackStaging(config(
      { type: 'security-lake', securityLake: { ...LAKE, stagingBucket: 'local-staging', stagingPrefix: 'mine/' } },
      [splunk, { name: 'lake', siem: { type: 'security-lake', securityLake: OTHER_LAKE } }],
    ), AREA);
    expect(staged.siem).toMatchObject({ securityLake: { stagingBucket: AREA.bucket, stagingPrefix: 'security-lake-staging/', stagingRegion: AREA.region } });
    expect(staged.routes![0]).toEqual(config({ type: 'https', url: 'https://siem.example.com/' }, [splunk]).routes![0]);
    expect(staged.routes![1]!.siem).toMatchObject({ securityLake: { stagingBucket: AREA.bucket, stagingPrefix: 'security-lake-staging/routes/lake/', stagingRegion: AREA.region } });
  });

  it('gives the compactor settings it loads without any secret and that compact every lake destination from the stack\'s staging area', async () => {
    // siem a lake, with a lake route and a route that authenticates.
    expect(await compactionsOfTheCompactor(config(
      { type: 'security-lake', securityLake: LAKE },
      [splunk, { name: 'lake', siem: { type: 'security-lake', securityLake: OTHER_LAKE } }],
    ))).toEqual([
      { route: 'default', staging: `s3://${AREA.bucket}/security-lake-staging/`, lake: `s3://${LAKE.bucket}/ext/ (eu-west-1, account ${LAKE.accountId})` },
      { route: 'lake', staging: `s3://${AREA.bucket}/security-lake-staging/routes/lake/`, lake: `s3://${OTHER_LAKE.bucket}/ext/ (eu-west-1, account ${OTHER_LAKE.accountId})` },
    ]);
    // siem of another type (with credentials): only the lake route.
    expect((await compactionsOfTheCompactor(config(
      { type: 'https', url: 'https://siem.example.com/', auth: { kind: 'bearer', token: 'secret-token' } },
      [{ name: 'lake', siem: { type: 'security-lake', securityLake: OTHER_LAKE } }],
    ))).map(({ route, staging }) => `${route} ${staging}`)).toEqual([`lake s3://${AREA.bucket}/security-lake-staging/routes/lake/`]);
    // The routes alone, the lake second.
    expect((await compactionsOfTheCompactor(routesOnly([splunk, { name: 'lake', siem: { type: 'security-lake', securityLake: LAKE } }]))).map(({ route }) => route)).toEqual(['lake']);
    expect(lakeCompactorConfig(config({ type: 'https', url: 'https://siem.example.com/' }, [splunk]))).toBeUndefined();
  });

  it('lets the role put objects under its sources\' prefixes only, and use the bucket\'s key to encrypt them', () => {
    const stack = new Stack(new App(), 'Grants');
    const role = new Role(stack, 'Compactor', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    grantSecurityLakeWrite(role, { bucket: LAKE.bucket, sources: ['mpas-authentication', 'mpas-account-change'], kmsKeyArn: KEY });
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]!['Properties'] as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument.Statement;
    const object = (source: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${LAKE.bucket}/ext/${source}/*`]] });
    expect(statements).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [object('mpas-authentication'), object('mpas-account-change')] },
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: KEY },
    ]);
  });
});
