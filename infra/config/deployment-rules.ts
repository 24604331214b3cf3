import { RetryWindowError } from '../../lib/aws/retry-window.js';
import { QUEUE_RETENTION } from '../constructs/secure-defaults.js';
import type { DeploymentSettings } from './deployment-schema.js';
import { DeploymentRuleError } from './infra-errors.js';
import type { TenantProblem } from './infra-errors.js';
import { VISIBILITY_TIMEOUT_FACTOR, queueRetrySettings } from './queue-retry.js';

export { VISIBILITY_TIMEOUT_FACTOR } from './queue-retry.js';
/** Time the poller keeps after its read budget, for its last enqueue and commit. */
export const POLLER_MIN_MARGIN_SECONDS = 5;
/** Without a batching window, an SQS event source takes at most this many records. */
const MAX_BATCH_WITHOUT_WINDOW = 10;
/** Lambda's limit on a function's environment: every name and value together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/**
 * Kept for what the stack adds to the service settings: table names, queue URLs and secret
 * ARNs (known only at deploy, about 100 bytes each) and the smaller wiring settings.
 */
export const WIRING_RESERVE_BYTES = 1024;

/**
 * The rules between a tenant's deployment settings, each valid on its own. Returns every
 * broken rule; {@link assertDeploymentRules} throws them.
 */
export function deploymentRuleProblems(deployment: DeploymentSettings): TenantProblem[] {
  const problems: TenantProblem[] = [];
  const { forwarder, poller, queue } = deployment;
  const minimum = VISIBILITY_TIMEOUT_FACTOR * forwarder.timeoutSeconds;
  if (queue.visibilityTimeoutSeconds !== undefined && queue.visibilityTimeoutSeconds < minimum) {
    problems.push({
      setting: 'deployment.queue.visibilityTimeoutSeconds',
      message:
        `must be at least ${VISIBILITY_TIMEOUT_FACTOR} x deployment.forwarder.timeoutSeconds (${forwarder.timeoutSeconds} s), ` +
        `that is ${minimum} s, but is ${queue.visibilityTimeoutSeconds} s: lower the forwarder's timeout or raise the visibility timeout`,
    });
  }
  // To the millisecond: 25 s x (1 - 0.8) is 4.999999... in floating point, and means 5 s.
  const margin = Math.round(poller.timeoutSeconds * (1 - poller.budgetShare) * 1000) / 1000;
  if (margin < POLLER_MIN_MARGIN_SECONDS) {
    problems.push({
      setting: 'deployment.poller.budgetShare',
      message:
        `leaves ${margin.toFixed(1)} s of the poller's ${poller.timeoutSeconds} s timeout after reading, ` +
        `less than the ${POLLER_MIN_MARGIN_SECONDS} s its last enqueue and commit need: lower the share or raise the timeout`,
    });
  }
  problems.push(...retryWindowProblems(deployment));
  if (forwarder.batchSize > MAX_BATCH_WITHOUT_WINDOW && forwarder.batchingWindowSeconds === 0) {
    problems.push({
      setting: 'deployment.forwarder.batchSize',
      message: `above ${MAX_BATCH_WITHOUT_WINDOW} needs deployment.forwarder.batchingWindowSeconds of at least 1`,
    });
  }
  return problems;
}

/**
 * The retry window (lib/aws/retry-window.ts) must be reachable within SQS's receive limit, and a
 * message must be dead-lettered before the queue's retention deletes it: an outage longer than
 * the window then leaves its messages in the DLQ, never lost.
 */
function retryWindowProblems(deployment: DeploymentSettings): TenantProblem[] {
  const { forwarder } = deployment;
  if (forwarder.retryBaseSeconds > forwarder.retryMaxSeconds) {
    return [{ setting: 'deployment.forwarder.retryBaseSeconds', message: `must not exceed deployment.forwarder.retryMaxSeconds (${forwarder.retryMaxSeconds} s)` }];
  }
  try {
    const { maxReceiveCount, longestToDeadLetterSeconds } = queueRetrySettings(deployment);
    const retention = QUEUE_RETENTION.toSeconds();
    if (longestToDeadLetterSeconds <= retention) return [];
    return [
      {
        setting: 'deployment.forwarder.retryMaxSeconds',
        message:
          `needs ${maxReceiveCount} receives, which can take up to ${longestToDeadLetterSeconds} s before the DLQ, longer than the queue keeps a message ` +
          `(${retention} s): messages would expire instead of being dead-lettered; lower retryMaxSeconds or raise retryBaseSeconds`,
      },
    ];
  } catch (error) {
    if (!(error instanceof RetryWindowError)) throw error;
    return [{ setting: 'deployment.forwarder.retryBaseSeconds', message: error.message.replace(/RETRY_BASE_SECONDS/g, 'retryBaseSeconds').replace(/RETRY_MAX_SECONDS/g, 'retryMaxSeconds') }];
  }
}

/**
 * The service settings must leave room in Lambda's 4 KB environment for the wiring; the usual
 * culprit is a long filter, named with the largest variables.
 */
export function environmentSizeProblems(environment: Readonly<Record<string, string>>): TenantProblem[] {
  const sizes = Object.entries(environment).map(([name, value]) => ({ name, bytes: Buffer.byteLength(name) + Buffer.byteLength(value) }));
  const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0);
  const allowed = LAMBDA_ENVIRONMENT_LIMIT_BYTES - WIRING_RESERVE_BYTES;
  if (total <= allowed) return [];
  const largest = [...sizes].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map(({ name, bytes }) => `${name} ${bytes} B`);
  return [
    {
      setting: 'service',
      message:
        `takes ${total} bytes of the functions' environment, above the ${allowed} bytes Lambda's 4 KB limit leaves after the wiring ` +
        `(largest: ${largest.join(', ')}): shorten the filter or the field lists`,
    },
  ];
}

/** Throws a {@link DeploymentRuleError} with every rule `deployment` and the service `environment` break. */
export function assertDeploymentRules(tenant: string, deployment: DeploymentSettings, environment: Readonly<Record<string, string>> = {}): void {
  const problems = [...deploymentRuleProblems(deployment), ...environmentSizeProblems(environment)];
  if (problems.length > 0) throw new DeploymentRuleError(tenant, problems);
}
