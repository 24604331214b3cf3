import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSecretPath } from '../../../lib/config/config-secrets.js';
import { ENV_VARS, envNameForPath } from '../../../lib/config/env-var-table.js';
import { LAMBDA_ENV_VARS } from '../../../lib/config/lambda-settings.js';

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

describe('ENV_VARS', () => {
  it('is documented row by row in docs/configuration.md, then the Lambda-only variables, and nothing else', () => {
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented).toEqual([...ENV_VARS.map((spec) => spec.name), ...Object.values(LAMBDA_ENV_VARS)]);
  });

  it('marks as **Secret.** in docs/configuration.md exactly the variables whose setting the schema marks secret', () => {
    const marked = [...docs.matchAll(/^\| `([A-Z_]+)` \| [^|]*\| \*\*Secret\.\*\*/gm)].map((match) => match[1]);
    expect(marked).toEqual(ENV_VARS.filter((spec) => spec.path !== '' && isSecretPath(spec.path.split('.'))).map((spec) => spec.name));
  });

  it('names each variable once and fills each config path once', () => {
    expect(new Set(ENV_VARS.map((spec) => spec.name)).size).toBe(ENV_VARS.length);
    const paths = ENV_VARS.filter((spec) => spec.kind !== 'configFile').map((spec) => spec.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('envNameForPath', () => {
  it('names the variable of a path, of a list item, and of the groups', () => {
    expect(envNameForPath('mpas.pageSize')).toBe('MPAS_PAGE_SIZE');
    expect(envNameForPath('mpas.realms.0')).toBe('MPAS_REALMS');
    expect(envNameForPath('mpas.credentials.grant')).toBe('MPAS_USERNAME or MPAS_CLIENT_SECRET');
    expect(envNameForPath('siem.auth.name')).toBe('SIEM_AUTH_HEADER');
    expect(envNameForPath('siem.auth.kind')).toBe('SIEM_TOKEN, SIEM_AUTH_HEADER or SIEM_USERNAME and SIEM_PASSWORD');
    expect(envNameForPath('polling')).toBeUndefined();
  });
});
