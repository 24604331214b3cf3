import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { compactedSecurityLake, grantSecurityLakeWrite } from '../../../../infra/constructs/function-grants.js';
import { configWithSiem } from '../../../support/route-fixtures.js';

const LAKE = { bucket: 'aws-security-data-lake-eu-west-1-abc123', region: 'eu-west-1', accountId: '111122223333' };
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const config = configWithSiem;

describe('the lake compactor\'s grants on Security Lake', () => {
  it('finds the lake of the siem destination, with its custom sources and interval; none for another type or when routes replace siem', () => {
    const lake = compactedSecurityLake(config(
      { type: 'security-lake', securityLake: { ...LAKE, sources: { '3002': 'keycloak-logins' }, kmsKeyArn: KEY, fileIntervalMinutes: 15 } },
      [{ name: 'splunk', siem: { type: 'https', url: 'https://siem.example.com/' } }],
    ));
    expect(lake).toEqual({
      bucket: LAKE.bucket,
      sources: ['mpas-account-change', 'keycloak-logins', 'mpas-entity-mgmt', 'mpas-user-access', 'mpas-group-mgmt', 'mpas-api-activity'],
      kmsKeyArn: KEY,
      fileIntervalMinutes: 15,
    });
    expect(compactedSecurityLake(config({ type: 'security-lake', securityLake: LAKE }))?.fileIntervalMinutes).toBe(5);
    expect(compactedSecurityLake(config({ type: 'https', url: 'https://siem.example.com/' }))).toBeUndefined();
    expect(compactedSecurityLake({ ...config({ type: 'security-lake', securityLake: LAKE }), defaultRoute: false })).toBeUndefined();
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
