import { retryWindow } from '../../lib/aws/retry-window.js';
import type { RetryWindow } from '../../lib/aws/retry-window.js';
import type { DeploymentSettings } from './deployment-schema.js';

/**
 * SQS's guidance for a Lambda event source: a visibility timeout of at least six times the
 * function's timeout, so a message is not handed out again while a retried invocation
 * (Lambda retries throttled batches) may still be working on it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** The queue's retry settings, derived from the deployment's. */
export interface QueueRetrySettings extends RetryWindow {
  /**
   * The queue's visibility timeout: how long a receive waits that the forwarder did not survive
   * (a crash, its timeout); every other failed receive sets its own wait (the backoff). Unset in
   * the tenant file it is {@link VISIBILITY_TIMEOUT_FACTOR} x the forwarder's timeout, the
   * least SQS advises, so a crashed batch comes back as soon as that is safe.
   */
  visibilityTimeoutSeconds: number;
}

/**
 * The queue's visibility timeout and `maxReceiveCount` for the tenant's forwarder: the count is
 * lib/aws/retry-window.ts' derivation from `deployment.forwarder.retryBaseSeconds` and
 * `retryMaxSeconds`, the same values the forwarder gets as RETRY_BASE_SECONDS and
 * RETRY_MAX_SECONDS.
 * @throws RetryWindowError when the settings reach no count (deployment-rules.ts reports it first).
 */
export function queueRetrySettings(deployment: DeploymentSettings): QueueRetrySettings {
  const { forwarder } = deployment;
  const visibilityTimeoutSeconds = deployment.queue.visibilityTimeoutSeconds ?? VISIBILITY_TIMEOUT_FACTOR * forwarder.timeoutSeconds;
  const window = retryWindow(
    { baseSeconds: forwarder.retryBaseSeconds, maxSeconds: forwarder.retryMaxSeconds },
    { visibilityTimeoutSeconds, forwarderTimeoutSeconds: forwarder.timeoutSeconds },
  );
  return { visibilityTimeoutSeconds, ...window };
}
