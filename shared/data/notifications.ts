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

/**
 * Who receives it: a volunteer (the sender looks up their contact details), or a bare phone
 * number (login codes, sent before anyone is known to be a volunteer).
 */
export type Recipient = { recipientVolunteerId: string; recipientPhone?: never } | { recipientPhone: string; recipientVolunteerId?: never };

export type Notification = {
  id: string;
  dedupeKey: string;
  channel: Channel;
  template: string;
  /** Template parameters. May hold a secret (a login code): never log them. */
  params: Record<string, string | number>;
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  /** The thing the message is about; a dispatcher skips messages whose subject was cancelled. */
  subject?: { type: 'activity'; id: string };
  /** DynamoDB TTL (epoch seconds): messages that are useless later (login codes) disappear. */
  expiresAt?: number;
  createdAt: string;
} & Recipient;

export type NotificationInput = Omit<Notification, 'id' | 'status' | 'createdAt'>;

/** Queues a notification unless one with the same dedupe key exists; true if queued now. */
export const enqueueNotification = async (input: NotificationInput) => {
  const notification = { id: ulid(), status: 'pending', createdAt: new Date().toISOString(), ...input } as Notification;
  try {
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...keys.notification(input.dedupeKey),
          ...keys.outboxIndex(notification.status, notification.createdAt, notification.id),
          ...(notification.recipientVolunteerId ? keys.volunteerNotificationIndex(notification.recipientVolunteerId, notification.createdAt, notification.id) : {}),
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
