import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenantFile } from '../../infra/config/load-tenants.js';
import type { TenantDeployment } from '../../infra/config/load-tenants.js';
import { addNagSuppressions } from '../../infra/nag/nag-suppressions.js';
import { StatefulStack } from '../../infra/stacks/stateful-stack.js';
import { addOperatorStacks, addTenantStacks } from '../../infra/tenant-app.js';
import type { TenantStacks } from '../../infra/tenant-app.js';

/** The repository's root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The context `cdk` gives the app (cdk.json's), so a test synthesizes what the CLI would. */
export function cdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** A shipped tenant file, validated. */
export function shippedTenant(name: string): TenantDeployment {
  return loadTenantFile(join(ROOT, 'infra', 'tenants', `${name}.json`));
}

/** `tenant` with a KMS key of its own (`deployment.encryptionKey: "tenant"`) instead of the operator stack's shared one. */
export function withOwnKey(tenant: TenantDeployment): TenantDeployment {
  return { ...tenant, deployment: { ...tenant.deployment, encryptionKey: 'tenant' } };
}

/** A synthesized app: its stacks per tenant, the assembly on disk and each stack's template. */
export interface SynthesizedApp {
  readonly outdir: string;
  readonly stacks: Map<string, TenantStacks>;
  readonly assembly: CloudAssembly;
  template(stackName: string): Template;
  /** Removes the assembly directory. */
  dispose(): void;
}

/**
 * Builds the tenants' stacks as infra/bin/app.ts does (with cdk-nag when `nag` is set) and
 * synthesizes them once, into a fresh directory. The functions are bundled with esbuild only
 * when `bundle` is set: a test of the templates alone does not need the bundles, which cost
 * most of a synthesis (about 4 s of CPU per app here).
 */
export function synthesizeTenants(tenants: readonly TenantDeployment[], options: { nag?: boolean; bundle?: boolean } = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  // The CLI asks for asset metadata: it tells where each function's bundle is. The CLI sets
  // `aws:cdk:bundling-stacks` to the stacks a command selects; empty, no stack is bundled.
  const context = { ...cdkContext(), 'aws:cdk:enable-asset-metadata': true, ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ outdir, context });
  const stacks = addTenantStacks(app, tenants);
  if (options.nag === true) {
    for (const tenantStacks of stacks.values()) addNagSuppressions(tenantStacks);
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  }
  const assembly = app.synth();
  return {
    outdir,
    stacks,
    assembly,
    template: (stackName) => Template.fromJSON(assembly.getStackByName(stackName).template as Record<string, unknown>),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Only the stateful stacks (nothing to bundle), with the operator stack a shared-key tenant takes its key from: fast. */
export function synthesizeStateful(tenant: TenantDeployment): { stack: StatefulStack; template: Template } {
  const app = new App({ context: cdkContext() });
  const sharedKey = tenant.deployment.encryptionKey === 'shared' ? addOperatorStacks(app, [tenant]).values().next().value?.sharedKey : undefined;
  const stack = new StatefulStack(app, `mpas-log-sync-${tenant.name}-data`, { tenant, sharedKey, env: { account: tenant.deployment.account, region: tenant.deployment.region } });
  return { stack, template: Template.fromStack(stack) };
}
