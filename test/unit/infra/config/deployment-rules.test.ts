import { describe, expect, it } from 'vitest';
import { deploymentSchema } from '../../../../infra/config/deployment-schema.js';
import { assertDeploymentRules, deploymentRuleProblems, environmentSizeProblems } from '../../../../infra/config/deployment-rules.js';
import { DeploymentRuleError } from '../../../../infra/config/infra-errors.js';

function deployment(overrides: Record<string, unknown> = {}) {
  return deploymentSchema.parse({ account: '123456789012', region: 'eu-central-1', alarmEmail: 'soc@example.com', ...overrides });
}

describe('deploymentRuleProblems', () => {
  it('accepts the defaults', () => {
    expect(deploymentRuleProblems(deployment())).toEqual([]);
  });

  it('asks for a visibility timeout set in the tenant file of at least six forwarder timeouts, to the second', () => {
    expect(deploymentRuleProblems(deployment({ forwarder: { timeoutSeconds: 150 }, queue: { visibilityTimeoutSeconds: 900 } }))).toEqual([]);
    // Unset, it is derived as six forwarder timeouts.
    expect(deploymentRuleProblems(deployment({ forwarder: { timeoutSeconds: 151 } }))).toEqual([]);
    expect(deploymentRuleProblems(deployment({ forwarder: { timeoutSeconds: 151 }, queue: { visibilityTimeoutSeconds: 900 } }))).toEqual([
      {
        setting: 'deployment.queue.visibilityTimeoutSeconds',
        message:
          'must be at least 6 x deployment.forwarder.timeoutSeconds (151 s), that is 906 s, but is 900 s: ' +
          "lower the forwarder's timeout or raise the visibility timeout",
      },
    ]);
  });

  it("keeps five seconds of the poller's timeout after its read budget", () => {
    expect(deploymentRuleProblems(deployment({ poller: { timeoutSeconds: 25, budgetShare: 0.8 } }))).toEqual([]);
    const [problem] = deploymentRuleProblems(deployment({ poller: { timeoutSeconds: 20, budgetShare: 0.9 } }));
    expect(problem).toEqual({
      setting: 'deployment.poller.budgetShare',
      message: "leaves 2.0 s of the poller's 20 s timeout after reading, less than the 5 s its last enqueue and commit need: lower the share or raise the timeout",
    });
  });

  it('refuses a retry backoff whose receives outlast the queue\'s retention, or whose base exceeds its window', () => {
    expect(deploymentRuleProblems(deployment({ forwarder: { retryBaseSeconds: 60, retryMaxSeconds: 30 } }))).toEqual([
      { setting: 'deployment.forwarder.retryBaseSeconds', message: 'must not exceed deployment.forwarder.retryMaxSeconds (30 s)' },
    ]);
    // 13 receives, each of which may wait out a 12-hour visibility timeout (a crashed forwarder), outlast the 4-day retention.
    const [tooLong] = deploymentRuleProblems(deployment({ queue: { visibilityTimeoutSeconds: 43_200 } }));
    expect(tooLong?.setting).toBe('deployment.forwarder.retryMaxSeconds');
    expect(tooLong?.message).toMatch(/longer than the queue keeps a message \(345600 s\)/);
  });

  it('needs a batching window for more than ten records a batch', () => {
    expect(deploymentRuleProblems(deployment({ forwarder: { batchSize: 11, batchingWindowSeconds: 1 } }))).toEqual([]);
    expect(deploymentRuleProblems(deployment({ forwarder: { batchSize: 11 } })).map((problem) => problem.setting)).toEqual([
      'deployment.forwarder.batchSize',
    ]);
  });
});

describe('environmentSizeProblems', () => {
  it('leaves 1 KB of the 4 KB environment for the wiring and names the largest variables', () => {
    expect(environmentSizeProblems({ FILTER: 'x'.repeat(3072 - 'FILTER'.length) })).toEqual([]);
    expect(environmentSizeProblems({ FILTER: 'x'.repeat(3073 - 'FILTER'.length), TENANT: 'acme' })).toEqual([
      {
        setting: 'service',
        message:
          "takes 3083 bytes of the functions' environment, above the 3072 bytes Lambda's 4 KB limit leaves after the wiring " +
          '(largest: FILTER 3073 B, TENANT 10 B): shorten the filter or the field lists',
      },
    ]);
  });

  it('counts bytes, not characters', () => {
    expect(environmentSizeProblems({ F: 'é'.repeat(1536) })).toHaveLength(1);
  });
});

describe('assertDeploymentRules', () => {
  it('throws every broken rule at once, under the tenant', () => {
    const broken = deployment({ forwarder: { timeoutSeconds: 900, batchSize: 100 }, poller: { timeoutSeconds: 10, budgetShare: 1 }, queue: { visibilityTimeoutSeconds: 900 } });
    expect(() => assertDeploymentRules('acme', broken)).toThrow(DeploymentRuleError);
    expect(() => assertDeploymentRules('acme', broken)).toThrow(/^tenant acme: the deployment settings break a rule \(3 problems\):\n/);
    expect(() => assertDeploymentRules('acme', broken, { FILTER: 'x'.repeat(4000) })).toThrow(/\(4 problems\)/);
  });
});
