import { Tags } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import type { TenantDeployment } from './config/load-tenants.js';
import { compactedSecurityLakes } from './constructs/security-lake-destinations.js';
import { OperatorStack } from './stacks/operator-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/** One tenant's two stacks. */
export interface TenantStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds each tenant's stacks to `app`: `mpas-log-sync-<tenant>-data` (tables, queues, secrets and,
 * with `encryptionKey: "tenant"`, its key; outlives every deploy) and `mpas-log-sync-<tenant>-service`
 * (functions, schedule, alarms); and, once per account and region, the operator stack
 * (addOperatorStacks), which the data stacks of shared-key tenants depend on.
 */
export function addTenantStacks(app: App, tenants: readonly TenantDeployment[]): Map<string, TenantStacks> {
  const operatorStacks = addOperatorStacks(app, tenants);
  const stacks = new Map<string, TenantStacks>();
  for (const tenant of tenants) {
    const env = { account: tenant.deployment.account, region: tenant.deployment.region };
    const shared = tenant.deployment.encryptionKey === 'shared';
    const stateful = new StatefulStack(app, `mpas-log-sync-${tenant.name}-data`, {
      env,
      tenant,
      sharedKey: shared ? operatorStacks.get(environmentKey(tenant))?.sharedKey : undefined,
      description: `mpas-log-sync ${tenant.name}: cursor and idempotency tables, queue and dead-letter queue, secrets${shared ? '' : ', KMS key'}`,
    });
    const stateless = new StatelessStack(app, `mpas-log-sync-${tenant.name}-service`, {
      env,
      tenant,
      stateful,
      description: `mpas-log-sync ${tenant.name}: poller, forwarder, schedule and alarms`,
    });
    for (const stack of [stateful, stateless]) {
      Tags.of(stack).add('service', 'mpas-log-sync');
      Tags.of(stack).add('tenant', tenant.name);
    }
    stacks.set(tenant.name, { stateful, stateless });
  }
  return stacks;
}

/** `<account>-<region>`: what names the operator stack of a tenant's account and region. */
function environmentKey(tenant: TenantDeployment): string {
  return `${tenant.deployment.account}-${tenant.deployment.region}`;
}

/**
 * One operator stack per account and region of `tenants`, `mpas-log-sync-operator-<account>-<region>`:
 * what their tenants share, the dashboard and, when one of them has `encryptionKey: "shared"`, the key.
 */
export function addOperatorStacks(app: App, tenants: readonly TenantDeployment[]): Map<string, OperatorStack> {
  const byEnvironment = new Map<string, TenantDeployment[]>();
  for (const tenant of tenants) {
    const key = environmentKey(tenant);
    byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), tenant]);
  }
  const stacks = new Map<string, OperatorStack>();
  for (const [key, members] of byEnvironment) {
    const { account, region } = members[0]!.deployment;
    const sharedKey = members.some((tenant) => tenant.deployment.encryptionKey === 'shared');
    const stack = new OperatorStack(app, `mpas-log-sync-operator-${key}`, {
      env: { account, region },
      tenants: members.map((tenant) => tenant.name),
      sharedKey,
      securityLake: members.some((tenant) => compactedSecurityLakes(tenant.service.config) !== undefined),
      description: `mpas-log-sync: the operator dashboard${sharedKey ? ' and shared KMS key' : ''} of the ${members.length} tenant(s) in ${account} ${region}`,
    });
    Tags.of(stack).add('service', 'mpas-log-sync');
    stacks.set(key, stack);
  }
  return stacks;
}
