import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/config/config-error.js';
import type { ConfigProblem } from '../../../../lib/config/config-error.js';
import { loadConfig } from '../../../../lib/config/load-config.js';
import { OCSF_CLASSES } from '../../../../lib/core/formats/ocsf/ocsf-classes.js';
import { DEFAULT_SECURITY_LAKE_SOURCES, lakeSettingsOf, securityLakeSiemSchema } from '../../../../lib/sinks/security-lake/config.js';

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

  it('stages in the lake\'s bucket and region under mpas-log-sync-staging/ and writes files every 5 minutes, unless told otherwise', () => {
    const defaults = loadConfig({ env: { ...MPAS_ENV, ...LAKE_ENV } }).siem;
    expect(defaults.type === 'security-lake' && lakeSettingsOf(defaults)).toEqual({
      location: { bucket: LAKE_ENV.SECURITY_LAKE_BUCKET, region: 'eu-west-1', accountId: '111122223333' },
      sources: new Map(Object.entries(DEFAULT_SECURITY_LAKE_SOURCES).map(([classUid, source]) => [Number(classUid), source])),
      staging: { bucket: LAKE_ENV.SECURITY_LAKE_BUCKET, prefix: 'mpas-log-sync-staging/' },
      stagingRegion: 'eu-west-1',
      fileIntervalMs: 300_000,
    });
    const set = loadConfig({
      env: { ...MPAS_ENV, ...LAKE_ENV, SECURITY_LAKE_FILE_INTERVAL_MINUTES: '1440', SECURITY_LAKE_STAGING_BUCKET: 'tenant-staging', SECURITY_LAKE_STAGING_PREFIX: 'lake/staging/', SECURITY_LAKE_STAGING_REGION: 'eu-central-1' },
    }).siem;
    expect(set.type === 'security-lake' && lakeSettingsOf(set)).toMatchObject({ staging: { bucket: 'tenant-staging', prefix: 'lake/staging/' }, stagingRegion: 'eu-central-1', fileIntervalMs: 86_400_000 });
  });

  it('names each wrong staging setting and what is wrong', () => {
    const problems = problemsOf({
      ...LAKE_ENV,
      SECURITY_LAKE_FILE_INTERVAL_MINUTES: '1',
      SECURITY_LAKE_STAGING_BUCKET: 'Staging_Bucket',
      SECURITY_LAKE_STAGING_PREFIX: 'staging',
      SECURITY_LAKE_STAGING_REGION: 'central',
    });
    const prefixError = 'must be S3 key segments each ending in / (letters, digits and ! - _ . * \' ( )), such as mpas-log-sync-staging/, and not under ext/ (Security Lake\'s sources)';
    expect(problems.map(({ setting, message }) => `${setting}: ${message.replace(/, got .*$/, '')}`)).toEqual([
      'SECURITY_LAKE_FILE_INTERVAL_MINUTES: must be an integer from 5 to 1440',
      'SECURITY_LAKE_STAGING_BUCKET: must be an S3 bucket name (3 to 63 lowercase letters, digits, . or -)',
      `SECURITY_LAKE_STAGING_PREFIX: ${prefixError}`,
      'SECURITY_LAKE_STAGING_REGION: must be an AWS region such as eu-west-1',
    ]);
    expect(problemsOf({ ...LAKE_ENV, SECURITY_LAKE_FILE_INTERVAL_MINUTES: '1441' }).map(({ setting }) => setting)).toEqual(['SECURITY_LAKE_FILE_INTERVAL_MINUTES']);
    for (const prefix of ['ext/staging/', '/staging/', 'a//b/', 'sp ace/']) {
      expect(problemsOf({ ...LAKE_ENV, SECURITY_LAKE_STAGING_PREFIX: prefix }).map(({ setting, message }) => `${setting}: ${message.replace(/, got .*$/, '')}`), prefix).toEqual([`SECURITY_LAKE_STAGING_PREFIX: ${prefixError}`]);
    }
  });

  it('refuses one custom source for two classes, naming the setting, the source and both classes', () => {
    const problemsWith = (sources: string): string[] => problemsOf({ ...LAKE_ENV, SECURITY_LAKE_SOURCES: sources }).map(({ setting, message }) => `${setting}: ${message.replace(/, got .*$/, '')}`);
    expect(problemsWith('{"3002": "mpas-logins", "6003": "mpas-logins"}')).toEqual([
      'SECURITY_LAKE_SOURCES: gives source mpas-logins to classes 3002 and 6003: a Security Lake custom source takes one class, so give each class its own source',
    ]);
    // A name given to one class that another class has by default.
    expect(problemsWith('{"3002": "mpas-account-change"}')).toEqual([
      'SECURITY_LAKE_SOURCES: gives source mpas-account-change to classes 3001 (by default) and 3002: a Security Lake custom source takes one class, so give each class its own source',
    ]);
    // Each clash once.
    expect(problemsWith('{"3001": "a", "3002": "a", "3004": "b", "3005": "b", "3006": "b"}')).toEqual([
      'SECURITY_LAKE_SOURCES: gives source a to classes 3001 and 3002: a Security Lake custom source takes one class, so give each class its own source',
      'SECURITY_LAKE_SOURCES: gives source b to classes 3004 and 3005 and 3006: a Security Lake custom source takes one class, so give each class its own source',
    ]);
    // Swapping two defaults is no clash.
    expect(problemsWith('{"3001": "mpas-authentication", "3002": "mpas-account-change"}')).toEqual([]);
  });

  it('refuses SIEM credentials: S3 is signed with the AWS credentials of the role or the environment', () => {
    const parsed = securityLakeSiemSchema.safeParse({ type: 'security-lake', auth: { kind: 'bearer', token: 't' }, securityLake: { bucket: 'lake', region: 'eu-west-1', accountId: '111122223333' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['auth.kind']);
  });
});
