import { describe, expect, it } from 'vitest';
import { isRealAwsQueueArn } from '../../../lib/aws/dlq-tools.js';

describe('isRealAwsQueueArn', () => {
  it('accepts the queue ARNs of real AWS accounts in every partition', () => {
    expect(isRealAwsQueueArn('arn:aws:sqs:eu-central-1:123456789012:acme-events-dlq')).toBe(true);
    expect(isRealAwsQueueArn('arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q.fifo')).toBe(true);
    expect(isRealAwsQueueArn('arn:aws-cn:sqs:cn-north-1:123456789012:q')).toBe(true);
  });

  it('refuses the all-zero account of emulators and anything that is not a queue ARN', () => {
    expect(isRealAwsQueueArn('arn:aws:sqs:us-east-1:000000000000:events-dlq')).toBe(false);
    expect(isRealAwsQueueArn('arn:aws:sns:us-east-1:123456789012:topic')).toBe(false);
    expect(isRealAwsQueueArn('http://127.0.0.1:4566/000000000000/q')).toBe(false);
  });
});
