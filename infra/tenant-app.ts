import { Tags } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import type { TenantDeployment } from './config/load-tenants.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/** One tenant's two stacks. */
export interface TenantStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds each tenant's stacks to `app`: `mpas-log-sync-<tenant>-data` (tables, queues, key,
 * secrets; outlives every deploy) and `mpas-log-sync-<tenant>-service` (functions, schedule).
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
      description: `mpas-log-sync ${tenant.name}: poller, forwarder, schedule, dashboard and alarms`,
    });
    for (const stack of [stateful, stateless]) {
      Tags.of(stack).add('service', 'mpas-log-sync');
      Tags.of(stack).add('tenant', tenant.name);
    }
    stacks.set(tenant.name, { stateful, stateless });
  }
  return stacks;
}
