/**
 * The notification outbox: one item per message to send (SMS, e-mail, WeChat subscription
 * message). The item's key is its dedupe key, so the same reminder cannot be queued twice.
 * A sender (per-region provider adapters) drains pending items; it is not part of this stage.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { db, isConditionFailure, table } from './client.js';
import { keys, withoutKeys } from './keys.js';
import { queryPage } from './query.js';

export type Channel = 'sms' | 'email' | 'wechat';

export interface Notification {
  id: string;
  dedupeKey: string;
  channel: Channel;
  recipientVolunteerId: string;
  template: string;
  params: Record<string, string | number>;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  /** The thing the message is about; a dispatcher skips messages whose subject was cancelled. */
  subject: { type: 'activity'; id: string };
  createdAt: string;
}

/** Queues a notification unless one with the same dedupe key exists; true if queued now. */
export const enqueueNotification = async (input: Omit<Notification, 'id' | 'status' | 'createdAt'>) => {
  const notification: Notification = { id: ulid(), status: 'pending', createdAt: new Date().toISOString(), ...input };
  try {
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...keys.notification(input.dedupeKey),
          ...keys.outboxIndex(notification.status, notification.createdAt, notification.id),
          type: 'Notification',
          ...notification,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

export const listOutbox = async ({ status = 'pending', limit = 50, cursor }: { status?: Notification['status']; limit?: number; cursor?: string } = {}) => {
  const page = await queryPage<Record<string, unknown>>({ index: 'gsi1', pkName: 'gsi1pk', pk: keys.outboxPk(status), limit, cursor, newestFirst: true });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as Notification) };
};
