/** SQS's SendMessage over its JSON API (the protocol the SDK speaks to SQS too). */
import { JsonClient, JsonCommand } from './client.js';
import type { AwsService } from './request.js';

export const SQS: AwsService = { name: 'sqs', endpointEnv: 'SQS', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' };

export interface SendMessageCommandInput {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
}

export interface SendMessageCommandOutput {
  MessageId?: string;
  MD5OfMessageBody?: string;
}

export class SendMessageCommand extends JsonCommand<SendMessageCommandInput, SendMessageCommandOutput> {
  readonly operation = 'SendMessage';
  /** A second copy is what SQS may deliver anyway; every consumer here is idempotent. */
  readonly idempotent = true;
}

export class SqsClient extends JsonClient.of(SQS) {}
