import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shippedTenant, synthesizeTenants } from '../../support/infra-synth.js';
import type { SynthesizedApp } from '../../support/infra-synth.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

/** What an operator's shell might hold while running `cdk synth`: none of it may reach the output. */
const SHELL_SECRETS = {
  MPAS_PASSWORD: 'mpas-pw-7f3a9c1e-not-for-templates',
  MPAS_CLIENT_SECRET: 'mpas-client-secret-51b2d8',
  SIEM_TOKEN: 'siem-token-c0ffee-4242',
  SIEM_AUTH_HEADER: 'X-Api-Key: siem-header-key-9d9d',
  SIEM_PASSWORD: 'siem-basic-pw-a1a1',
  REDACT_HASH_KEY: 'hash-key-0123456789abcdef',
};
/** Personal data of the local simulator's made-up people (devtools/generators/fake-identities.ts): never in a bundle. */
const SIMULATOR_SURNAMES = ['Kowalski', 'Johansson', 'Okafor', 'Tremblay'];
// About 2 MB with the AWS SDK bundled (infra/constructs/secure-defaults.ts); room for growth, not for a stray dependency.
const BUNDLE_LIMIT_BYTES = 2.5 * 1024 * 1024;
const TENANT_STACKS = ['mpas-log-sync-example-data', 'mpas-log-sync-example-service', 'mpas-log-sync-northwind-data', 'mpas-log-sync-northwind-service'];
/** example and northwind are in two accounts: an operator stack (the dashboard) in each. */
const OPERATOR_STACKS = ['mpas-log-sync-operator-111111111111-eu-central-1', 'mpas-log-sync-operator-222222222222-eu-west-1'];
const STACKS = [...TENANT_STACKS, ...OPERATOR_STACKS];

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

describe('addTenantStacks', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    for (const [name, value] of Object.entries(SHELL_SECRETS)) vi.stubEnv(name, value);
    synthesized = synthesizeTenants([shippedTenant('example'), shippedTenant('northwind')], { nag: true, bundle: true });
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => {
    vi.unstubAllEnvs();
    synthesized?.dispose();
  });

  it('makes a data stack and a service stack per tenant, in its account and region', () => {
    expect(synthesized.assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([...STACKS].sort());
    expect(synthesized.assembly.getStackByName('mpas-log-sync-northwind-service').environment).toMatchObject({ account: '222222222222', region: 'eu-west-1' });
    expect(synthesized.assembly.getStackByName('mpas-log-sync-example-data').terminationProtection).toBe(true);
    expect(synthesized.assembly.getStackByName('mpas-log-sync-example-service').dependencies.map((dependency) => dependency.id)).toContain('mpas-log-sync-example-data');
  });

  it('passes cdk-nag AwsSolutionsChecks with no unsuppressed error or warning', () => {
    const findings = synthesized.assembly.stacks.flatMap((stack) =>
      stack.messages
        .filter((message) => message.level === 'error' || message.level === 'warning')
        .map((message) => `${message.id}: ${String(message.entry.data).slice(0, 160)}`),
    );
    expect(findings).toEqual([]);
  });

  it('ran cdk-nag on every stack, and every suppression it honoured is in its report', () => {
    const reportOf = (stack: string) => {
      const [file, ...others] = readdirSync(synthesized.outdir).filter((name) => name.startsWith('AwsSolutions-') && name.endsWith(`${stack}-NagReport.csv`));
      expect(others, stack).toEqual([]);
      return readFileSync(join(synthesized.outdir, file ?? `(no report of ${stack})`), 'utf8');
    };
    // The operator stacks hold a dashboard only, which no AwsSolutions rule concerns (the findings test covers them).
    for (const stack of TENANT_STACKS) {
      const report = reportOf(stack);
      expect(report, stack).not.toMatch(/,"Non-Compliant",/);
      // A rule that concerns the stack's own resources was checked and passed.
      expect(report, stack).toMatch(stack.endsWith('-data') ? /"AwsSolutions-SQS4",.*,"Compliant",/ : /"AwsSolutions-L1",.*,"Compliant",/);
    }
    expect(reportOf('mpas-log-sync-example-data')).toMatch(/"AwsSolutions-SMG4","mpas-log-sync-example-data\/MpasSecret\/Resource","Suppressed"/);
    expect(reportOf('mpas-log-sync-northwind-service')).toMatch(/"AwsSolutions-IAM5","mpas-log-sync-northwind-service\/Poller\/Poller\/Role\/DefaultPolicy\/Resource","Suppressed","\[Resource::\*\] X-Ray/);
  });

  it('gives each suppression a reason and, for IAM wildcards, names the wildcard', () => {
    let count = 0;
    for (const stack of synthesized.assembly.stacks) {
      type NagMetadata = { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason: string; applies_to?: unknown[] }> } };
      const template = stack.template as { Metadata?: Record<string, unknown>; Resources: Record<string, { Metadata?: NagMetadata }> };
      // No stack-wide suppression: each one sits on the resource it is about.
      expect(template.Metadata?.['cdk_nag']).toBeUndefined();
      for (const resource of Object.values(template.Resources)) {
        const rules = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
        for (const rule of rules) {
          count += 1;
          expect(rule.reason.length, rule.id).toBeGreaterThan(40);
          if (rule.id === 'AwsSolutions-IAM5') expect(rule.applies_to, rule.reason).toEqual(expect.arrayContaining([expect.any(String)]));
        }
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('synthesizes offline: no context lookup, no container image, every function bundled here', () => {
    expect(synthesized.assembly.manifest.missing ?? []).toEqual([]);
    for (const file of filesUnder(synthesized.outdir).filter((name) => name.endsWith('.assets.json'))) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { dockerImages?: Record<string, unknown> };
      expect(manifest.dockerImages ?? {}, file).toEqual({});
    }
  });

  it('bundles every function (poller and forwarder of both tenants, the verifier of northwind) with esbuild into an ES module entry and chunks, at most 2.5 MB of code each (source maps aside)', () => {
    let bundles = 0;
    for (const stack of synthesized.assembly.stacks) {
      const resources = (stack.template as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> }).Resources;
      for (const [id, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const assetPath = resource.Metadata?.['aws:asset:path'];
        expect(assetPath, `${stack.stackName}/${id}`).toBeDefined();
        const directory = join(synthesized.outdir, assetPath as string);
        expect(readdirSync(directory).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
        const chunks = readdirSync(join(directory, 'chunks'));
        const chunkCode = chunks.filter((name) => name.endsWith('.mjs'));
        // What only loads later is split off (infra/constructs/function-bundle.ts), each with its source map.
        expect(chunkCode.length, `${stack.stackName}/${id}`).toBeGreaterThan(0);
        expect(chunks.sort()).toEqual(chunkCode.flatMap((name) => [name, `${name}.map`]).sort());
        const size = [join(directory, 'index.mjs'), ...chunkCode.map((name) => join(directory, 'chunks', name))].reduce((sum, file) => sum + statSync(file).size, 0);
        expect(size, `${stack.stackName}/${id}: ${size} bytes`).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
        const code = readFileSync(join(directory, 'index.mjs'), 'utf8');
        expect(code).toMatch(/export\s*\{[^}]*\bas handler\b/);
        // Minified: long lines (only template literals keep their line breaks).
        expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
        bundles += 1;
      }
    }
    expect(bundles).toBe(5);
  });

  it('makes bundles whose entry and every chunk load as ES modules, the entry exporting the handler, with nothing beside them (the AWS SDK is bundled)', () => {
    const directories = new Set(
      synthesized.assembly.stacks.flatMap((stack) =>
        Object.values((stack.template as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> }).Resources)
          .filter((resource) => resource.Type === 'AWS::Lambda::Function')
          .map((resource) => resource.Metadata?.['aws:asset:path'] as string),
      ),
    );
    // The same code for both tenants' pollers and forwarders: three bundles.
    expect(directories.size).toBe(3);
    // A directory with no node_modules above it: the bundle must not need the runtime's @aws-sdk/*.
    const runtime = mkdtempSync(join(tmpdir(), 'lambda-runtime-'));
    try {
      for (const directory of directories) {
        const copy = join(runtime, directory);
        cpSync(join(synthesized.outdir, directory), copy, { recursive: true });
        // The chunks a handler imports only on demand (a SIEM type's sink, the S3 client) must load too. Not
        // the local SQLite archive's (its WebAssembly is looked up beside a CommonJS file): a function's archive is S3 (functions/forwarder.ts).
        const chunks = readdirSync(join(copy, 'chunks'))
          .filter((name) => name.endsWith('.mjs') && !name.startsWith('sqlite-archive-'))
          .map((name) => pathToFileURL(join(copy, 'chunks', name)).href);
        const importAll = `const m = await import(${JSON.stringify(pathToFileURL(join(copy, 'index.mjs')).href)}); for (const chunk of ${JSON.stringify(chunks)}) await import(chunk); process.stdout.write(typeof m.handler);`;
        const result = spawnSync(process.execPath, ['--input-type=module', '-e', importAll], {
          env: { PATH: process.env['PATH'], AWS_REGION: 'eu-central-1', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
          encoding: 'utf8',
          timeout: 60_000,
        });
        // The error's last lines only: the first ones quote the minified bundle.
        const error = result.stderr.split('\n').filter((line) => line.length < 300).slice(-6).join('\n');
        expect(result.stdout, `${directory}: ${error}`).toBe('function');
      }
    } finally {
      rmSync(runtime, { recursive: true, force: true });
    }
  }, SYNTH_TIMEOUT_MS);

  it('writes no secret from the shell anywhere in the output', () => {
    const needles = [...Object.values(SHELL_SECRETS), 'siem-header-key-9d9d'];
    for (const file of filesUnder(synthesized.outdir)) {
      const text = readFileSync(file, 'latin1');
      for (const needle of needles) expect(text.includes(needle), `${needle} in ${file}`).toBe(false);
    }
  });

  it('writes no personal data: no address but the alarm mailboxes, no IP address, no simulator identity', () => {
    const allowedMailboxes = new Set(['secops-alerts@example.com', 'soc@northwind.example.org']);
    const files = filesUnder(synthesized.outdir);
    for (const file of files.filter((name) => name.endsWith('.json'))) {
      const text = readFileSync(file, 'utf8');
      const mailboxes = (text.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? []).filter((address) => !allowedMailboxes.has(address));
      expect(mailboxes, file).toEqual([]);
      expect(text.match(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g) ?? [], file).toEqual([]);
    }
    for (const file of files.filter((name) => name.endsWith('.mjs'))) {
      const code = readFileSync(file, 'utf8');
      for (const surname of SIMULATOR_SURNAMES) expect(code.includes(surname), `${surname} in ${file}`).toBe(false);
    }
  });
});
