import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context as the runtime hands it to a handler: a fresh request id and a remaining
 * time that counts down on the real clock from `timeoutMs`. This is the runtime's contract
 * (what every handler reads), not a mock of any AWS SDK.
 */
export function fakeLambdaContext(options: { functionName?: string; timeoutMs?: number } = {}): Context {
  const functionName = options.functionName ?? 'mpas-log-sync-test';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2025/01/01/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
