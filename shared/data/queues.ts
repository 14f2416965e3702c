/** Sending to the project's queues; URLs come from the environment (see shared/config.ts). */
import { SendMessageCommand, SqsClient } from '../aws/sqs.js';
import { queueUrl } from '../config.js';
import type { QueueName } from '../functions.js';

const sqs = new SqsClient();

export interface HourRecordMessage {
  hourRecordId: string;
}

export const sendToQueue = async (queue: QueueName, message: HourRecordMessage) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: JSON.stringify(message) }));
};
