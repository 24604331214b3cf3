import type { DeploymentSettings } from './deployment-schema.js';
import { DeploymentRuleError } from './infra-errors.js';
import type { TenantProblem } from './infra-errors.js';

/**
 * SQS's guidance for a Lambda event source: a visibility timeout of at least six times the
 * function's timeout, so a message is not handed out again while a retried invocation
 * (Lambda retries throttled batches) may still be working on it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
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
  if (queue.visibilityTimeoutSeconds < minimum) {
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
  if (forwarder.batchSize > MAX_BATCH_WITHOUT_WINDOW && forwarder.batchingWindowSeconds === 0) {
    problems.push({
      setting: 'deployment.forwarder.batchSize',
      message: `above ${MAX_BATCH_WITHOUT_WINDOW} needs deployment.forwarder.batchingWindowSeconds of at least 1`,
    });
  }
  return problems;
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
