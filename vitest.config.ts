import { defineConfig } from 'vitest/config';

/**
 * Two projects: fast tests with no servers (domain rules, handlers with mocked SDK clients, the
 * CDK template), and integration tests against the local runtime — DynamoDB Local and the SQS
 * emulator started by the global setup itself, in memory on free ports.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'fast',
          include: ['test/unit/**/*.test.ts', 'test/handlers/**/*.test.ts', 'test/infra/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/local-runtime.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One runtime is shared; files run one after another so load tests do not collide.
          fileParallelism: false,
        },
      },
    ],
  },
});
