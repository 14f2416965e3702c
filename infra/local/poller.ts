/**
 * Lambda's SQS event-source mapping, locally: long-poll the queue, gather a batch (batch size,
 * batching window), invoke the consumer with a real SQSEvent, delete what succeeded, and leave
 * failures to reappear after the visibility timeout until the redrive policy moves them to the
 * dead-letter queue.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { QueueFunction } from '../../shared/functions.js';
import { REGION, invoke } from './invoke.js';
import { errorMessage, type Log } from './log.js';

export interface PollerOptions {
  fn: QueueFunction;
  queueUrl: string;
  queueArn: string;
  client: SQSClient;
  log: Log;
}

export interface Poller {
  stop(): Promise<void>;
}

/** Short long-polls so a stop never waits long; the abort signal usually makes it immediate. */
const WAIT_TIME_SECONDS = 1;
const MAX_PER_RECEIVE = 10;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** The SDK's message attributes in the shape Lambda puts in an SQS record. */
const messageAttributesOf = (message: Message): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );

export const recordOf = (message: Message, queueArn: string): SQSRecord => {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...Object.fromEntries(
        ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId']
          .filter((name) => attributes[name as keyof typeof attributes] !== undefined)
          .map((name) => [name, attributes[name as keyof typeof attributes]]),
      ),
    } as SQSRecordAttributes,
    messageAttributes: messageAttributesOf(message),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
};

/**
 * Which messages failed, by Lambda's rules for ReportBatchItemFailures: a thrown error fails the
 * batch; no response (or no list) means all succeeded; an identifier that is not in the batch
 * makes Lambda treat the whole batch as failed.
 */
export const failedIds = (records: SQSRecord[], response: unknown): Set<string> | 'all' => {
  const failures = (response as Partial<SQSBatchResponse> | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
};

export const startPoller = ({ fn, queueUrl, queueArn, client, log }: PollerOptions): Poller => {
  const abort = new AbortController();
  const { signal } = abort;

  const receive = async (max: number, waitTimeSeconds: number) =>
    (
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(max, MAX_PER_RECEIVE),
          WaitTimeSeconds: waitTimeSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      )
    ).Messages ?? [];

  /** One long-poll, then more until the batch is full or the batching window closes. */
  const gather = async (): Promise<Message[]> => {
    const batch = await receive(fn.batchSize, WAIT_TIME_SECONDS);
    if (batch.length === 0) return batch;
    const closes = Date.now() + fn.maxBatchingWindowSeconds * 1000;
    while (batch.length < fn.batchSize && Date.now() < closes && !signal.aborted) {
      let more: Message[];
      try {
        more = await receive(fn.batchSize - batch.length, 0);
      } catch (error) {
        if (signal.aborted) break; // Stopping: process what we have.
        throw error;
      }
      if (more.length > 0) batch.push(...more);
      else await sleep(Math.min(100, closes - Date.now()), signal);
    }
    return batch;
  };

  const deleteMessages = async (records: SQSRecord[]) => {
    for (let i = 0; i < records.length; i += MAX_PER_RECEIVE) {
      const chunk = records.slice(i, i + MAX_PER_RECEIVE);
      // Not tied to the abort signal: a batch that succeeded is deleted even during a stop.
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
        }),
      );
      for (const failure of result.Failed ?? []) log.error(`${fn.name}: could not delete a message: ${failure.Message ?? failure.Code}`);
    }
  };

  const recordErrorsOf = (error: unknown) => {
    const recordErrors = (error as { recordErrors?: unknown[] } | undefined)?.recordErrors;
    return Array.isArray(recordErrors) && recordErrors.length ? [...new Set(recordErrors.map(errorMessage))].join('; ') : undefined;
  };

  const handleBatch = async (messages: Message[]) => {
    const event: SQSEvent = { Records: messages.map((m) => recordOf(m, queueArn)) };
    let failed: Set<string> | 'all';
    try {
      failed = failedIds(event.Records, await invoke(fn, event));
      if (failed === 'all') log.error(`${fn.name}: invalid batchItemFailures; the whole batch will be retried`);
    } catch (error) {
      // Every record failing is an outcome the consumer reports (Powertools' FullBatchFailureError):
      // one line with the records' reasons; anything else is unexpected and keeps its stack.
      const reasons = recordErrorsOf(error);
      const line = `${fn.name} failed on a batch of ${messages.length}; it will be retried after the visibility timeout`;
      if (reasons) log.error(`${line}: every record failed (${reasons})`);
      else log.error(line, error);
      failed = 'all';
    }
    const done = failed === 'all' ? [] : event.Records.filter((r) => !failed.has(r.messageId));
    const failedCount = event.Records.length - done.length;
    log.info(`${fn.name}: ${event.Records.length} message(s), ${done.length} done${failedCount ? `, ${failedCount} to retry` : ''}`);
    if (done.length > 0) await deleteMessages(done);
  };

  const loop = async () => {
    while (!signal.aborted) {
      try {
        const messages = await gather();
        // A batch already received is processed even if a stop arrives meanwhile, as Lambda would.
        if (messages.length > 0) await handleBatch(messages);
      } catch (error) {
        if (signal.aborted) break;
        log.error(`${fn.name}: polling ${queueUrl} failed: ${errorMessage(error)}`);
        await sleep(1000, signal);
      }
    }
  };

  const running = loop();
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
};
