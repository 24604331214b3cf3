import { App, Duration } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { tenantInventory } from '../../../bench/support/stack-inventory.js';
import { addTenantStacks } from '../../../infra/tenant-app.js';
import { cdkContext, shippedTenant } from '../../support/infra-synth.js';

// Synthesis is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

/** The shipped example tenant synthesized (without bundling), with `extend` applied to its stacks first. */
function synthesizedExample(extend?: (stacks: ReturnType<typeof addTenantStacks>) => void) {
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
  const stacks = addTenantStacks(app, [shippedTenant('example')]);
  extend?.(stacks);
  return tenantInventory(app.synth().stacks, 'example');
}

describe('the inventory the cost model prices, counted from the synthesized templates', () => {
  it("counts the example tenant's monthly items, and the dashboard as shared", () => {
    const { tenant, shared } = synthesizedExample();
    expect({ ...tenant, alarms: tenant.alarms.map(({ kind, metrics, queriedMetric }) => `${kind} ${metrics}${queriedMetric ? ` ${queriedMetric}` : ''}`) }).toEqual({
      dashboards: 0,
      alarms: ['insights 1 LagSeconds', 'standard 1', 'standard 1', 'standard 1', 'standard 1'],
      kmsKeys: 0,
      secretsCreated: 2,
      secretsRead: 2,
      tables: 2,
      tablesWithPointInTimeRecovery: 2,
      logGroupRetentionDays: [90, 90],
      metricFilters: 2,
      functions: 2,
      schedules: 1,
      queues: 2,
      buckets: 1,
      topics: 1,
    });
    expect(shared.dashboards).toBe(1);
    // The example tenant takes the operator stack's key (deployment.encryptionKey's default).
    expect(shared.kmsKeys).toBe(1);
    expect(shared.alarms).toEqual([]);
  }, SYNTH_TIMEOUT_MS);

  it('counts an alarm added to a stack, high resolution apart, without any change to the counting', () => {
    const { tenant } = synthesizedExample((stacks) => {
      const { stateless } = stacks.get('example')!;
      const metric = new Metric({ namespace: 'MpasLogSync', metricName: 'EventsRead', dimensionsMap: { tenant: 'example' }, period: Duration.seconds(10) });
      new Alarm(stateless, 'Extra', { metric, threshold: 1, evaluationPeriods: 1, alarmDescription: 'extra' });
    });
    expect(tenant.alarms).toHaveLength(6);
    expect(tenant.alarms.find((alarm) => alarm.description === 'extra')).toEqual({ description: 'extra', kind: 'high-resolution', metrics: 1 });
  }, SYNTH_TIMEOUT_MS);
});
