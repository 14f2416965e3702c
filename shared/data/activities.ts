/** Activities: created as drafts, published, cancelled; listed by org node and start time. */
import { GetCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import type { Principal } from '../domain/access.js';
import type { ActivityStatus } from '../domain/activities.js';
import { conflict, notFound } from '../errors.js';
import { recordAudit } from './audit.js';
import { db, failedConditionIndex, table } from './client.js';
import { keys, levelQuery, withoutKeys } from './keys.js';
import { queryPage } from './query.js';

export interface Activity {
  id: string;
  teamId: string;
  orgUnitId: string;
  title: string;
  category: string;
  description?: string;
  startsAt: string;
  endsAt: string;
  location: { name: string; lat?: number; lng?: number };
  capacity: number;
  enrolledCount: number;
  waitlistCount: number;
  status: ActivityStatus;
  createdAt: string;
  createdBy: string;
}

export const ACTIVITY = { zh: '活动', en: 'Activity' };

export type NewActivity = Omit<Activity, 'id' | 'enrolledCount' | 'waitlistCount' | 'status' | 'createdAt'>;

export const createActivity = async (input: NewActivity, actor: Principal) => {
  const activity: Activity = {
    id: ulid(),
    enrolledCount: 0,
    waitlistCount: 0,
    status: 'draft',
    createdAt: new Date().toISOString(),
    ...input,
  };
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table(),
            Item: { ...keys.activity(activity.id), ...keys.activityLevels(activity.orgUnitId, activity.startsAt, activity.id), type: 'Activity', ...activity },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        recordAudit({ actor, action: 'activity.create', target: { type: 'activity', id: activity.id }, before: null, after: activity, orgUnitId: activity.orgUnitId }),
      ],
    }),
  );
  return activity;
};

export const findActivity = async (id: string, consistent = false): Promise<Activity | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.activity(id), ConsistentRead: consistent }));
  return out.Item ? (withoutKeys(out.Item) as unknown as Activity) : undefined;
};

export const getActivity = async (id: string, consistent = false) => {
  const activity = await findActivity(id, consistent);
  if (!activity) throw notFound(ACTIVITY);
  return activity;
};

/** Moves the status only if nobody changed it since `activity` was read; audited in the same transaction. */
export const changeStatus = async (activity: Activity, to: ActivityStatus, actor: Principal) => {
  const updatedAt = new Date().toISOString();
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.activity(activity.id),
              UpdateExpression: 'SET #status = :to, updatedAt = :now',
              ConditionExpression: '#status = :from',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':to': to, ':from': activity.status, ':now': updatedAt },
            },
          },
          recordAudit({
            actor,
            action: to === 'published' ? 'activity.publish' : to === 'cancelled' ? 'activity.cancel' : `activity.${to}`,
            target: { type: 'activity', id: activity.id },
            before: { status: activity.status },
            after: { status: to },
            orgUnitId: activity.orgUnitId,
          }),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 0) {
      throw conflict({ zh: '活动状态已被修改，请刷新后重试', en: 'The activity changed meanwhile; reload and retry' });
    }
    throw error;
  }
  return { ...activity, status: to, updatedAt } as Activity;
};

/**
 * Activities at or under a node whose start lies in [from, to], by start time. Drafts only with
 * `includeDrafts` (callers who may manage them); without it they are filtered out after the read,
 * so a page may hold fewer than `limit` items (even none) and still have a next cursor: a client
 * pages until the cursor is null.
 */
export const listActivitiesUnder = async (q: { orgUnitId: string; from?: string; to?: string; limit: number; cursor?: string; includeDrafts?: boolean }) => {
  const where = levelQuery('ACT', q.orgUnitId);
  // Sort keys are `<startsAt ISO>#<id>`; '~' sorts after every id character.
  const from = q.from ?? '0000';
  const to = `${q.to ?? '9999'}~`;
  const page = await queryPage<Record<string, unknown>>({
    index: where.index,
    pkName: where.pkName,
    pk: where.pk,
    sortKey: { name: where.skName, expression: '#sk BETWEEN :from AND :to', values: { ':from': from, ':to': to } },
    filter: q.includeDrafts ? undefined : { expression: '#status <> :draft', names: { '#status': 'status' }, values: { ':draft': 'draft' satisfies ActivityStatus } },
    limit: q.limit,
    cursor: q.cursor,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as Activity) };
};
