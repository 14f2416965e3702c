/**
 * The SQS emulator (fauxqs) and the queues from shared/functions.ts: each queue with its
 * dead-letter queue, visibility timeout and redrive policy as the stack declares them.
 */
import { buildApp } from 'fauxqs';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, visibilityTimeoutOf, type QueueName } from '../../shared/functions.js';
import { REGION } from './invoke.js';
import type { Log } from './log.js';
import { isAddressInUse } from './ports.js';

export interface LocalQueue {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface LocalSqs {
  /** http://127.0.0.1:port: for clients configured with an explicit `endpoint`. */
  endpoint: string;
  /**
   * The origin of the queue URLs (http://sqs.us-east-1.localhost:port). Handlers get this as
   * AWS_ENDPOINT_URL_SQS: an SQSClient without an explicit `endpoint` sends to the QueueUrl's
   * host whenever it differs from the endpoint (and warns each time), so the two must agree.
   * Resolving it needs *.localhost → loopback (RFC 6761); see runtime.ts.
   */
  queueUrlEndpoint: string;
  port: number;
  queues: Record<QueueName, LocalQueue>;
  stop(): Promise<void>;
}

export interface SqsOptions {
  /** Preferred port; taken → a free one. 0 = any. */
  port: number;
  log: Log;
  /** Tests only: a short visibility timeout so redelivery happens in seconds, not minutes. */
  visibilityTimeoutSeconds?: number;
}

export const sqsClient = (endpoint: string) =>
  new SQSClient({ endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** Fourteen days, the maximum: a dead letter is kept for someone to look at. */
const DLQ_RETENTION_SECONDS = String(14 * 24 * 3600);

export const startSqs = async ({ port: preferred, log, visibilityTimeoutSeconds }: SqsOptions): Promise<LocalSqs> => {
  // buildApp rather than startFauxqs: the latter always binds 0.0.0.0, and an emulator that
  // accepts any credentials has no business being reachable from the network.
  const listen = async (port: number) => {
    const app = buildApp({ logger: false });
    try {
      const address = await app.listen({ port, host: '127.0.0.1' });
      return { app, port: Number(new URL(address).port) };
    } catch (error) {
      await app.close();
      throw error;
    }
  };
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(preferred);
  } catch (error) {
    if (!isAddressInUse(error) || preferred === 0) throw error;
    server = await listen(0);
    log.warn(`port ${preferred} is taken; the SQS emulator uses ${server.port} instead`);
  }

  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = sqsClient(endpoint);
  const arnOf = async (url: string) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

  try {
    const queues = {} as Record<QueueName, LocalQueue>;
    for (const [key, declaration] of Object.entries(QUEUES) as [QueueName, (typeof QUEUES)[QueueName]][]) {
      const dlqUrl = (
        await client.send(
          new CreateQueueCommand({
            QueueName: `${declaration.name}-dlq`,
            Attributes: { MessageRetentionPeriod: DLQ_RETENTION_SECONDS },
          }),
        )
      ).QueueUrl!;
      const dlqArn = await arnOf(dlqUrl);
      const url = (
        await client.send(
          new CreateQueueCommand({
            QueueName: declaration.name,
            Attributes: {
              VisibilityTimeout: String(visibilityTimeoutSeconds ?? visibilityTimeoutOf(key)),
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: declaration.maxReceiveCount }),
            },
          }),
        )
      ).QueueUrl!;
      queues[key] = { url, arn: await arnOf(url), dlqUrl, dlqArn };
    }
    const queueUrlEndpoint = new URL(Object.values(queues)[0]?.url ?? endpoint).origin;
    return { endpoint, queueUrlEndpoint, port: server.port, queues, stop: () => server.app.close() };
  } catch (error) {
    await server.app.close();
    throw error;
  } finally {
    client.destroy();
  }
};
