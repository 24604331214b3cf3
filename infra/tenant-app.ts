import { Tags } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import type { TenantDeployment } from './config/load-tenants.js';
import { OperatorStack } from './stacks/operator-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/** One tenant's two stacks. */
export interface TenantStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds each tenant's stacks to `app`: `mpas-log-sync-<tenant>-data` (tables, queues, key,
 * secrets; outlives every deploy) and `mpas-log-sync-<tenant>-service` (functions, schedule,
 * alarms); and, once per account and region, the operator stack (addOperatorStacks).
 */
export function addTenantStacks(app: App, tenants: readonly TenantDeployment[]): Map<string, TenantStacks> {
  const stacks = new Map<string, TenantStacks>();
  for (const tenant of tenants) {
    const env = { account: tenant.deployment.account, region: tenant.deployment.region };
    const stateful = new StatefulStack(app, `mpas-log-sync-${tenant.name}-data`, {
      env,
      tenant,
      description: `mpas-log-sync ${tenant.name}: cursor and idempotency tables, queue and dead-letter queue, KMS key, secrets`,
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
  addOperatorStacks(app, tenants);
  return stacks;
}

/**
 * One operator stack per account and region of `tenants`, `mpas-log-sync-operator-<account>-<region>`:
 * what their tenants share, the dashboard.
 */
export function addOperatorStacks(app: App, tenants: readonly TenantDeployment[]): Map<string, OperatorStack> {
  const byEnvironment = new Map<string, TenantDeployment[]>();
  for (const tenant of tenants) {
    const key = `${tenant.deployment.account}-${tenant.deployment.region}`;
    byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), tenant]);
  }
  const stacks = new Map<string, OperatorStack>();
  for (const [key, members] of byEnvironment) {
    const { account, region } = members[0]!.deployment;
    const stack = new OperatorStack(app, `mpas-log-sync-operator-${key}`, {
      env: { account, region },
      tenants: members.map((tenant) => tenant.name),
      description: `mpas-log-sync: the operator dashboard of the ${members.length} tenant(s) in ${account} ${region}`,
    });
    Tags.of(stack).add('service', 'mpas-log-sync');
    stacks.set(key, stack);
  }
  return stacks;
}
