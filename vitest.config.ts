import { defineConfig } from 'vitest/config';

/**
 * Two projects: fast tests with no servers (domain rules, handlers with mocked SDK clients, the
 * CDK template), and integration tests against the local runtime — DynamoDB Local and the SQS
 * emulator started by the global setup itself, in memory on free ports.
 */
// The AWS SDK's notice that its releases from January 2027 need Node.js 22 (README, prerequisites)
// would otherwise print once per test worker.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'fast',
          env,
          include: ['test/unit/**/*.test.ts', 'test/handlers/**/*.test.ts', 'test/infra/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          env,
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
