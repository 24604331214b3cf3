import { defineConfig } from 'vitest/config';

// Two projects: unit tests run in parallel; integration tests share the real parts that the
// global setup starts (DynamoDB Local, the SQS emulator) and run one file at a time, because
// this machine is small and a starved process makes timing-sensitive peers look flaky.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
          // CDK synthesis with bundling runs once per file in beforeAll; on a loaded 2-core
          // machine it takes far longer than vitest's 10 s default.
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
