import { describe, expect, it } from 'vitest';
import { RetryWindowError, retryWindow } from '../../../lib/aws/retry-window.js';
import { backoffSeconds, minimumBackoffSeconds } from '../../../lib/aws/visibility-backoff.js';
import type { BackoffSettings } from '../../../lib/aws/visibility-backoff.js';
import { readLambdaSettings } from '../../../lib/config/lambda-settings.js';
import { createRandom } from '../../../devtools/generators/random.js';
import { queueRetrySettings } from '../../../infra/config/queue-retry.js';
import { shippedTenant } from '../../support/infra-synth.js';

/** The least time from a message's first receive to its `receive`-th: the minimum waits before it, summed. */
function leastTimeToReceive(receive: number, settings: BackoffSettings): number {
  let total = 0;
  for (let retry = 1; retry < receive; retry++) total += minimumBackoffSeconds(retry, settings);
  return total;
}

describe('retryWindow', () => {
  for (const tenant of ['example', 'northwind']) {
    it(`gives the ${tenant} tenant a maxReceiveCount whose N-1 retries wait at least RETRY_MAX_SECONDS, and no fewer would`, () => {
      const { deployment } = shippedTenant(tenant);
      const settings = { baseSeconds: deployment.forwarder.retryBaseSeconds, maxSeconds: deployment.forwarder.retryMaxSeconds };
      const { maxReceiveCount, ridesOutSeconds } = queueRetrySettings(deployment);
      expect(leastTimeToReceive(maxReceiveCount, settings)).toBe(ridesOutSeconds);
      expect(ridesOutSeconds).toBeGreaterThanOrEqual(settings.maxSeconds);
      expect(leastTimeToReceive(maxReceiveCount - 1, settings)).toBeLessThan(settings.maxSeconds);
    });
  }

  it('derives 13 receives for the Lambda defaults (30 s, 12 h): the 12 retries wait at least 52,305 s, 11 only 30,705 s', () => {
    const defaults = readLambdaSettings({});
    const window = retryWindow({ baseSeconds: defaults.retryBaseSeconds, maxSeconds: defaults.retryMaxSeconds }, { visibilityTimeoutSeconds: 360, forwarderTimeoutSeconds: 60 });
    expect(window.maxReceiveCount).toBe(13);
    expect(window.ridesOutSeconds).toBe(52_305);
    expect(leastTimeToReceive(12, { baseSeconds: 30, maxSeconds: 43_200 })).toBe(30_705);
    // Under the 4 days the queue keeps a message, even with every wait at its largest.
    expect(window.longestToDeadLetterSeconds).toBeLessThan(4 * 86_400);
  });

  it('rides out a whole outage of RETRY_MAX_SECONDS with the draws of any seed: the last receive finds the SIEM back', () => {
    const settings = { baseSeconds: 30, maxSeconds: 43_200 };
    const { maxReceiveCount } = retryWindow(settings, { visibilityTimeoutSeconds: 360, forwarderTimeoutSeconds: 60 });
    for (const seed of [1, 2, 3, 42, 20_251_203]) {
      const random = createRandom(seed);
      // Every receive fails while the outage lasts; the message is dead-lettered only after its N-th failure.
      let now = 0;
      let receive = 1;
      while (now < settings.maxSeconds) {
        expect(receive, `seed ${seed}`).toBeLessThan(maxReceiveCount);
        now += backoffSeconds({ ...settings, receiveCount: receive, random: () => random.next() });
        receive += 1;
      }
      expect(receive, `seed ${seed}`).toBeLessThanOrEqual(maxReceiveCount);
    }
  });

  it('counts one receive for a window of 0 and refuses a base that never reaches the window', () => {
    expect(retryWindow({ baseSeconds: 30, maxSeconds: 0 }, { visibilityTimeoutSeconds: 360, forwarderTimeoutSeconds: 60 }).maxReceiveCount).toBe(1);
    expect(() => retryWindow({ baseSeconds: 0, maxSeconds: 60 }, { visibilityTimeoutSeconds: 360, forwarderTimeoutSeconds: 60 })).toThrow(RetryWindowError);
    expect(() => retryWindow({ baseSeconds: 0, maxSeconds: 60 }, { visibilityTimeoutSeconds: 360, forwarderTimeoutSeconds: 60 })).toThrow(/RETRY_BASE_SECONDS 0 cannot ride out RETRY_MAX_SECONDS 60/);
  });
});
