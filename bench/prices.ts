/**
 * AWS's public on-demand prices in us-east-1 that the cost model uses, with the date they were
 * taken from AWS's pricing pages. They were not re-read from this machine (it has no internet
 * access): check them before relying on the model, and update `PRICES_AS_OF` with them.
 * Free tiers are ignored (the model prices a tenant that has used them up).
 */
export const PRICES_AS_OF = '2025-06 (aws.amazon.com/lambda, /sqs, /dynamodb, /eventbridge pricing pages)';

/** The region the prices are for. */
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  lambda: {
    /** arm64 (Graviton), per GB-second, first pricing tier (the first 6 billion GB-s a month). */
    perGbSecondArm64: 0.0000133334,
    /** Per request (invocation). */
    perRequest: 0.2 / 1_000_000,
  },
  sqs: {
    /** Standard queue, per request (each 64 KiB chunk of a payload is one request), first 100 billion a month. */
    perRequest: 0.4 / 1_000_000,
  },
  dynamodb: {
    /** On-demand, per write request unit (1 KB), after the November 2024 price reduction. */
    perWriteRequestUnit: 0.625 / 1_000_000,
    /** On-demand, per read request unit (4 KB strongly consistent). */
    perReadRequestUnit: 0.125 / 1_000_000,
  },
  scheduler: {
    /** EventBridge Scheduler, per scheduled invocation. */
    perInvocation: 1 / 1_000_000,
  },
} as const;
