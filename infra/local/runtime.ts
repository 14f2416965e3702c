/**
 * The whole system on one machine: DynamoDB Local, the SQS emulator, queue pollers, the
 * scheduler and the HTTP gateway, all driven by the declarations in shared/functions.ts and
 * shared/table.ts. `npm start` (start.ts) and the integration tests both start it from here.
 */
import {
  FUNCTIONS,
  QUEUES,
  type FunctionDeclaration,
  type HttpFunction,
  type QueueFunction,
  type QueueName,
  type ScheduledFunction,
} from '../../shared/functions.js';
import { ENV } from '../../shared/config.js';
import { TABLE } from '../../shared/table.js';
import { problemOf } from '../../shared/http/problem.js';
import { interceptLocalhostDns } from 'fauxqs';
import { ensureTable, startDynamo, type LocalDynamo } from './dynamo.js';
import { startGateway, type Gateway, type LocalRoute } from './gateway.js';
import { REGION } from './invoke.js';
import { createLog } from './log.js';
import { startPoller, type Poller } from './poller.js';
import { startScheduler, type FireResult, type Scheduler } from './scheduler.js';
import { seedLocalData } from './seed.js';
import { sqsClient, startSqs, type LocalSqs } from './sqs.js';
import { dynamoDataDir } from './state.js';
import { startLocalWechat, type LocalWechat } from './wechat.js';
import { localKeysEnv } from './keys.js';

export const DEFAULT_PORTS = { api: 3000, dynamo: 8000, sqs: 4566 } as const;

export interface LocalRuntimeOptions {
  /** API port; a taken port falls back to a free one. 0 = any. Default 3000. */
  port?: number;
  /** Default 8000. */
  dynamoPort?: number;
  /** Default 4566. */
  sqsPort?: number;
  /** Keep DynamoDB in memory instead of .local/dynamodb/. Default: REDSTAR_IN_MEMORY=1. */
  inMemory?: boolean;
  /** Run the queue consumers. Default true. */
  pollers?: boolean;
  /** Run the cron jobs (firing on demand works either way). Default true. */
  scheduler?: boolean;
  /** Seed the org tree. Default true. */
  seed?: boolean;
  /** Only errors on the console. */
  quiet?: boolean;
  /** The declarations to serve; tests pass fixtures. Default FUNCTIONS. */
  functions?: FunctionDeclaration[];
  /** Tests only: one short visibility timeout for every queue instead of the derived one. */
  visibilityTimeoutSeconds?: number;
}

export interface LocalRuntime {
  apiUrl: string;
  /** Every variable the runtime set in process.env for the handlers. */
  env: Record<string, string>;
  /**
   * http://127.0.0.1:port, for SQS clients given an explicit `endpoint`. Handlers instead get
   * AWS_ENDPOINT_URL_SQS = the queue URLs' origin (sqs.us-east-1.localhost:port), see sqs.ts.
   */
  sqsEndpoint: string;
  dynamoEndpoint: string;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  inMemory: boolean;
  fireSchedule(name: string): Promise<FireResult | undefined>;
  stop(): Promise<void>;
}

const truthy = (value: string | undefined) => value === '1' || value === 'true';

/** The environment handlers see, as the stack gives it to them in AWS. */
const handlerEnv = (dynamo: LocalDynamo, sqs: LocalSqs, wechat: LocalWechat): Record<string, string> => ({
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  // Dummy credentials: the emulators accept anything, and real ones must never reach them.
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_SQS: sqs.queueUrlEndpoint,
  [ENV.tableName]: TABLE.localName,
  ...Object.fromEntries((Object.keys(QUEUES) as QueueName[]).map((q) => [QUEUES[q].urlEnv, sqs.queues[q].url])),
  // Stand-ins for the KMS key and the hash secret, kept in .local/ beside a persistent database.
  ...localKeysEnv(dynamo.dataDir),
  // WeChat login against the loopback stand-in (infra/local/wechat.ts).
  [ENV.wechatApiBase]: wechat.url,
  [ENV.wechatAppId]: wechat.appId,
  [ENV.wechatAppSecret]: wechat.appSecret,
  [ENV.runtime]: 'local',
});

export const startLocalRuntime = async (opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const log = createLog(opts.quiet);
  const functions = opts.functions ?? FUNCTIONS;
  const inMemory = opts.inMemory ?? truthy(process.env.REDSTAR_IN_MEMORY);
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    // Reverse start order: stop taking requests first, stop the stores last.
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log.error('stopping the local runtime', error);
      }
    }
  };

  try {
    // The JVM takes a few seconds; the emulator starts meanwhile.
    const [dynamoResult, sqsResult] = await Promise.allSettled([
      startDynamo({ port: opts.dynamoPort ?? DEFAULT_PORTS.dynamo, dataDir: inMemory ? null : dynamoDataDir, log }),
      startSqs({ port: opts.sqsPort ?? DEFAULT_PORTS.sqs, log, visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds }),
    ]);
    if (dynamoResult.status === 'fulfilled') stops.push(dynamoResult.value.stop);
    if (sqsResult.status === 'fulfilled') stops.push(sqsResult.value.stop);
    if (dynamoResult.status === 'rejected') throw dynamoResult.reason;
    if (sqsResult.status === 'rejected') throw sqsResult.reason;
    const dynamo = dynamoResult.value;
    const sqs = sqsResult.value;
    log.info(`DynamoDB Local on ${dynamo.endpoint} (${dynamo.dataDir ? `data in ${dynamo.dataDir}` : 'in memory'})`);
    log.info(`SQS emulator on ${sqs.endpoint}`);

    // Queue URLs live on sqs.<region>.localhost (fauxqs's AWS-style URLs). RFC 6761 makes
    // *.localhost loopback, but glibc does not resolve it, so this process does it itself.
    stops.push(interceptLocalhostDns());

    const wechat = await startLocalWechat({ log });
    stops.push(() => wechat.stop());

    // Before any handler or data-layer module is imported: they read these at module load.
    const env = handlerEnv(dynamo, sqs, wechat);
    Object.assign(process.env, env);

    await ensureTable(dynamo.endpoint, TABLE.localName, log);
    if (opts.seed ?? true) await seedLocalData(log);

    if (opts.pollers ?? true) {
      const client = sqsClient(sqs.endpoint);
      stops.push(() => client.destroy());
      const pollers: Poller[] = functions
        .filter((f): f is QueueFunction => f.kind === 'queue')
        .map((fn) => startPoller({ fn, queueUrl: sqs.queues[fn.queue].url, queueArn: sqs.queues[fn.queue].arn, client, log }));
      stops.push(() => Promise.all(pollers.map((p) => p.stop())).then(() => undefined));
    }

    const scheduler: Scheduler = startScheduler({
      functions: functions.filter((f): f is ScheduledFunction => f.kind === 'schedule'),
      cron: opts.scheduler ?? true,
      log,
    });
    stops.push(() => scheduler.stop());

    const localRoutes: LocalRoute[] = [
      {
        method: 'GET',
        path: '/_local/health',
        run: async () => ({ status: 200, body: { status: 'ok', functions: functions.map((f) => f.name) } }),
      },
      {
        // Used by `npm run fire-schedule`, so a fired schedule runs inside the running system.
        method: 'POST',
        path: '/_local/schedules/{name}',
        run: async ({ name }, lang) => {
          const result = await scheduler.fire(name);
          if (!result) {
            const detail = `No schedule named ${name}; known: ${scheduler.names.join(', ') || 'none'}`;
            return { status: 404, body: problemOf(404, detail, lang) };
          }
          return result.ok ? { status: 200, body: result } : { status: 500, body: { ...problemOf(500, result.error, lang), ...result } };
        },
      },
      {
        // The notification outbox, newest first (what `npm run outbox` shows); tests read SMS
        // login codes here. Local only: the items hold the codes.
        method: 'GET',
        path: '/_local/outbox',
        run: async () => {
          // Imported here, after the environment is set: the data layer builds its client on load.
          const { listOutbox } = await import('../../shared/data/notifications.js');
          return { status: 200, body: await listOutbox({ status: 'pending', limit: 100 }) };
        },
      },
    ];
    const gateway: Gateway = await startGateway({
      functions: functions.filter((f): f is HttpFunction => f.kind === 'http'),
      localRoutes,
      port: opts.port ?? DEFAULT_PORTS.api,
      log,
    });
    stops.push(() => gateway.close());

    const byQueue = (pick: (q: LocalSqs['queues'][QueueName]) => string) =>
      Object.fromEntries(Object.entries(sqs.queues).map(([name, q]) => [name, pick(q)])) as Record<QueueName, string>;
    return {
      apiUrl: gateway.url,
      env,
      sqsEndpoint: sqs.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      queueUrls: byQueue((q) => q.url),
      dlqUrls: byQueue((q) => q.dlqUrl),
      inMemory,
      fireSchedule: (name) => scheduler.fire(name),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
