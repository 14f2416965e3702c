/**
 * SQS consumers: Powertools' batch processor handles one record at a time and returns the
 * partial-batch response, so one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from './zod.js';
import { errorSummary, logger } from './log.js';

export const hourRecordMessage = z.object({ hourRecordId: z.string().check(z.minLength(1)) });

export interface ConsumerOptions {
  /**
   * Process a batch's records one after another. For consumers whose records contend for the
   * same items (several hour records of one volunteer share a ledger), parallel work within a
   * batch would only make them retry each other.
   */
  sequential?: boolean;
}

export const sqsConsumer = <T>(
  schema: z.ZodMiniType<T>,
  handle: (message: T, record: SQSRecord) => Promise<unknown>,
  options: ConsumerOptions = {},
) => {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    let message: T;
    try {
      message = schema.parse(JSON.parse(record.body));
    } catch (error) {
      // Retrying cannot fix it; failing it sends it to the dead-letter queue after maxReceiveCount.
      logger.error('malformed message', { messageId: record.messageId, error: error as Error });
      throw error;
    }
    try {
      return await handle(message, record);
    } catch (error) {
      // Logged here, once per failed attempt, so a message on its way to the DLQ leaves a trail.
      logger.error('message failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: errorSummary(error),
      });
      throw error;
    }
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context, processInParallel: !options.sequential });
};
