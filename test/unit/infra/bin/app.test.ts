import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../../support/infra-synth.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-app-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs infra/bin/app.ts as `cdk synth` does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'infra', 'bin', 'app.ts')], {
    cwd: ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: join(dir, 'out') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('infra/bin/app.ts', () => {
  it('fails with the file, the setting and what is wrong, without a stack trace', () => {
    const tenantDir = mkdtempSync(join(dir, 'tenants-'));
    writeFileSync(
      join(tenantDir, 'acme.json'),
      JSON.stringify({
        deployment: { account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com', scheduleMinutes: 0 },
        service: { mpas: { baseUrl: 'https://mpas.example.com', realms: ['r'] }, siem: { url: 'https://siem.example.com', auth: { kind: 'bearer', token: 'never-echoed-9f2' } } },
      }),
    );
    const { status, stderr } = runApp({ tenant: 'acme', tenantsDir: tenantDir });
    expect(status).toBe(1);
    expect(stderr).toContain('invalid tenant configuration (2 problems):');
    expect(stderr).toMatch(/deployment\.scheduleMinutes \(in .*acme\.json\): must be an integer from 1 to 1440 \(minutes\)/);
    expect(stderr).toMatch(/service\.siem\.auth\.token \(in .*acme\.json\): is a secret/);
    expect(stderr).not.toContain('never-echoed-9f2');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 90_000);

  it('names the tenants there are when the selection names none', () => {
    const { status, stderr } = runApp({ tenant: 'nosuch' });
    expect(status).toBe(1);
    expect(stderr).toContain('choose one of example, northwind or all');
  }, 90_000);
});
