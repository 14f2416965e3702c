/**
 * Starts the whole local runtime once for the integration project: DynamoDB Local (in memory),
 * the SQS emulator, the HTTP gateway, queue pollers and seed data, on free ports. Tests reach it
 * through `inject('runtime')`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.js';

export interface RuntimeInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queueUrls: Record<string, string>;
  dlqUrls: Record<string, string>;
  env: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: RuntimeInfo;
  }
}

let runtime: LocalRuntime | undefined;

export default async function setup(project: TestProject) {
  // As in vitest.config.ts: the SDK's Node 22 notice, once per process, is not a test result.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runtime = await startLocalRuntime({
    port: 0,
    dynamoPort: 0,
    sqsPort: 0,
    inMemory: true,
    scheduler: false,
    quiet: true,
    // Failed messages come back after 2 s, so dead-lettering takes seconds, not minutes.
    visibilityTimeoutSeconds: 2,
  });
  project.provide('runtime', {
    apiUrl: runtime.apiUrl,
    dynamoEndpoint: runtime.dynamoEndpoint,
    sqsEndpoint: runtime.sqsEndpoint,
    queueUrls: runtime.queueUrls,
    dlqUrls: runtime.dlqUrls,
    env: runtime.env,
  });
  return async () => {
    await runtime?.stop();
  };
}
