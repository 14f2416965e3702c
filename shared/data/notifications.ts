/**
 * The notification outbox: one item per message to send (SMS, e-mail, WeChat subscription
 * message). The item's key is its dedupe key, so the same reminder cannot be queued twice.
 * A sender (per-region provider adapters) drains pending items; it is not part of this stage.
 */
import { PutCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { db, failedConditionIndex, isConditionFailure, retryOnConflict, table } from './client.js';
import { volunteerTakesPart } from './participation.js';
import { keys, withoutKeys } from './keys.js';
import { queryAll, queryPage } from './query.js';

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
  /** Set with `cancelled`: when and why (`erasure`: the recipient's personal data was erased). */
  cancelledAt?: string;
  cancelledReason?: string;
  /** The thing the message is about; a dispatcher skips messages whose subject was cancelled. */
  subject?: { type: 'activity'; id: string };
  /** DynamoDB TTL (epoch seconds): messages that are useless later (login codes) disappear. */
  expiresAt?: number;
  createdAt: string;
} & Recipient;

export type NotificationInput = Omit<Notification, 'id' | 'status' | 'createdAt'>;

/**
 * Queues a notification unless one with the same dedupe key exists; true if queued now. A message
 * to a volunteer also needs the volunteer to be taking part (not erased, nor being erased): the
 * database decides, so a reminder computed from enrollments read before an erasure began cannot
 * land after it cancelled the pending ones. False then too.
 */
export const enqueueNotification = async (input: NotificationInput) => {
  const notification = { id: ulid(), status: 'pending', createdAt: new Date().toISOString(), ...input } as Notification;
  const put = {
    TableName: table(),
    Item: {
      ...keys.notification(input.dedupeKey),
      ...keys.outboxIndex(notification.status, notification.createdAt, notification.id),
      ...(notification.recipientVolunteerId ? keys.volunteerNotificationIndex(notification.recipientVolunteerId, notification.createdAt, notification.id) : {}),
      type: 'Notification',
      ...notification,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  try {
    if (notification.recipientVolunteerId) {
      const check = volunteerTakesPart(notification.recipientVolunteerId);
      // The volunteer item may be in another transaction (a sign-up) at the same moment.
      await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: [check, { Put: put }] })));
    } else {
      await db.send(new PutCommand(put));
    }
    return true;
  } catch (error) {
    if (isConditionFailure(error) || failedConditionIndex(error) >= 0) return false;
    throw error;
  }
};

export const listOutbox = async ({ status = 'pending', limit = 50, cursor }: { status?: Notification['status']; limit?: number; cursor?: string } = {}) => {
  const page = await queryPage<Record<string, unknown>>({ index: 'gsi1', pkName: 'gsi1pk', pk: keys.outboxPk(status), limit, cursor, newestFirst: true });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as Notification) };
};

/**
 * Cancels the pending messages addressed to a volunteer (erasure), each on condition that it is
 * still pending, so one a sender already took keeps its status; the outbox index key moves with
 * the status. Params stay: the only messages to volunteers are reminders, whose params are the
 * activity's title, start and place, nothing about the person. Idempotent.
 */
export const cancelPendingForVolunteer = async (volunteerId: string, reason: string) => {
  let cancelled = 0;
  const pending = await queryAll('gsi2', keys.volunteerNotificationsPk(volunteerId), {
    expression: '#status = :pending',
    names: { '#status': 'status' },
    values: { ':pending': 'pending' },
  });
  for (const item of pending) {
    const outbox = keys.outboxIndex('cancelled', String(item.createdAt), String(item.id));
    try {
      await db.send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: String(item.pk), sk: String(item.sk) },
          UpdateExpression: 'SET #status = :cancelled, cancelledAt = :now, cancelledReason = :reason, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':pending': 'pending',
            ':now': new Date().toISOString(),
            ':reason': reason,
            ':gsi1pk': outbox.gsi1pk,
            ':gsi1sk': outbox.gsi1sk,
          },
        }),
      );
      cancelled++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // taken by a sender (or cancelled) meanwhile
    }
  }
  return cancelled;
};
