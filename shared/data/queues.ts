/** Sending to the project's queues; URLs come from the environment (see shared/config.ts). */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { queueUrl } from '../config.js';
import type { QueueName } from '../functions.js';

const sqs = new SQSClient({});

export interface HourRecordMessage {
  hourRecordId: string;
}

export const sendToQueue = async (queue: QueueName, message: HourRecordMessage) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: JSON.stringify(message) }));
};
