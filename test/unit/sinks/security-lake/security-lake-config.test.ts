import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/config/config-error.js';
import type { ConfigProblem } from '../../../../lib/config/config-error.js';
import { loadConfig } from '../../../../lib/config/load-config.js';
import { OCSF_CLASSES } from '../../../../lib/core/formats/ocsf/ocsf-classes.js';
import { DEFAULT_SECURITY_LAKE_SOURCES, securityLakeSiemSchema } from '../../../../lib/sinks/security-lake/config.js';

const MPAS_ENV = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'pw' };
const LAKE_ENV = { SIEM_TYPE: 'security-lake', SECURITY_LAKE_BUCKET: 'aws-security-data-lake-eu-west-1-abc123', SECURITY_LAKE_REGION: 'eu-west-1', SECURITY_LAKE_ACCOUNT_ID: '111122223333' };

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    loadConfig({ env: { ...MPAS_ENV, ...env } });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the security-lake SIEM type\'s settings', () => {
  it('reads the lake from the environment, with the ocsf format and a custom source for every class the format writes', () => {
    const { siem } = loadConfig({ env: { ...MPAS_ENV, ...LAKE_ENV, SECURITY_LAKE_SOURCES: '{"3002": "keycloak-logins"}' } });
    expect(siem).toMatchObject({
      type: 'security-lake',
      format: 'ocsf',
      auth: { kind: 'none' },
      securityLake: { bucket: 'aws-security-data-lake-eu-west-1-abc123', region: 'eu-west-1', accountId: '111122223333', sources: { ...DEFAULT_SECURITY_LAKE_SOURCES, '3002': 'keycloak-logins' } },
    });
    expect(Object.keys(DEFAULT_SECURITY_LAKE_SOURCES).map(Number).sort()).toEqual([...OCSF_CLASSES.keys()].sort());
  });

  it('takes an endpoint in SIEM_URL and accounts outside AWS as external', () => {
    expect(problemsOf({ ...LAKE_ENV, SIEM_URL: 'http://127.0.0.1:4566', SECURITY_LAKE_ACCOUNT_ID: 'external_keycloak-eu' })).toEqual([]);
  });

  it('names each wrong setting and what is wrong', () => {
    expect(problemsOf({ SIEM_TYPE: 'security-lake' })).toEqual([
      { setting: 'SECURITY_LAKE_BUCKET', message: 'is required' },
      { setting: 'SECURITY_LAKE_REGION', message: 'is required' },
      { setting: 'SECURITY_LAKE_ACCOUNT_ID', message: 'is required' },
    ]);
    const problems = problemsOf({
      ...LAKE_ENV,
      SIEM_FORMAT: 'cef',
      SECURITY_LAKE_BUCKET: 'Lake_Bucket',
      SECURITY_LAKE_REGION: 'europe',
      SECURITY_LAKE_ACCOUNT_ID: '1234',
      SECURITY_LAKE_SOURCES: '{"3002": "a-custom-source-name-longer-than-twenty", "auth": "x"}',
      SECURITY_LAKE_KMS_KEY: 'alias/lake',
    });
    expect(problems.map(({ setting, message }) => `${setting}: ${message.replace(/, got .*$/, '')}`)).toEqual([
      'SIEM_FORMAT: must be ocsf: Security Lake stores OCSF records only',
      'SECURITY_LAKE_BUCKET: must be an S3 bucket name (3 to 63 lowercase letters, digits, . or -)',
      'SECURITY_LAKE_REGION: must be an AWS region such as eu-west-1',
      'SECURITY_LAKE_ACCOUNT_ID: must be a 12-digit AWS account id, or external / external_<id> for records of accounts outside AWS',
      'SECURITY_LAKE_SOURCES: the source of class 3002 must be 1 to 20 letters, digits, - or _ (Security Lake\'s custom source names)',
      'SECURITY_LAKE_SOURCES: "auth" is no OCSF class_uid (such as 3002)',
      'SECURITY_LAKE_KMS_KEY: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    ]);
  });

  it('refuses SIEM credentials: S3 is signed with the AWS credentials of the role or the environment', () => {
    const parsed = securityLakeSiemSchema.safeParse({ type: 'security-lake', auth: { kind: 'bearer', token: 't' }, securityLake: { bucket: 'lake', region: 'eu-west-1', accountId: '111122223333' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['auth.kind']);
  });
});
