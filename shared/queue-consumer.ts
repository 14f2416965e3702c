/**
 * SQS consumers: Powertools' batch processor handles one record at a time and returns the
 * partial-batch response, so one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { logger } from './log.js';

export const hourRecordMessage = z.object({ hourRecordId: z.string().min(1) });

export const sqsConsumer = <T>(schema: z.ZodType<T>, handle: (message: T, record: SQSRecord) => Promise<unknown>) => {
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
    return handle(message, record);
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context });
};
