/** Activities: created as drafts, published, cancelled; listed by org node and start time. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { ActivityStatus } from '../domain/activities.js';
import { conflict, notFound } from '../errors.js';
import { db, isConditionFailure, table } from './client.js';
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

export const createActivity = async (input: NewActivity) => {
  const activity: Activity = {
    id: ulid(),
    enrolledCount: 0,
    waitlistCount: 0,
    status: 'draft',
    createdAt: new Date().toISOString(),
    ...input,
  };
  await db.send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.activity(activity.id), ...keys.activityLevels(activity.orgUnitId, activity.startsAt, activity.id), type: 'Activity', ...activity },
      ConditionExpression: 'attribute_not_exists(pk)',
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

/** Moves the status only if nobody changed it since `from` was read. */
export const changeStatus = async (id: string, from: ActivityStatus, to: ActivityStatus) => {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.activity(id),
        UpdateExpression: 'SET #status = :to, updatedAt = :now',
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': to, ':from': from, ':now': new Date().toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return withoutKeys(out.Attributes!) as unknown as Activity;
  } catch (error) {
    if (isConditionFailure(error)) {
      throw conflict({ zh: '活动状态已被修改，请刷新后重试', en: 'The activity changed meanwhile; reload and retry' });
    }
    throw error;
  }
};

/** Activities at or under a node whose start lies in [from, to], by start time. */
export const listActivitiesUnder = async (q: { orgUnitId: string; from?: string; to?: string; limit: number; cursor?: string }) => {
  const where = levelQuery('ACT', q.orgUnitId);
  // Sort keys are `<startsAt ISO>#<id>`; '~' sorts after every id character.
  const from = q.from ?? '0000';
  const to = `${q.to ?? '9999'}~`;
  const page = await queryPage<Record<string, unknown>>({
    index: where.index,
    pkName: where.pkName,
    pk: where.pk,
    sortKey: { name: where.skName, expression: '#sk BETWEEN :from AND :to', values: { ':from': from, ':to': to } },
    limit: q.limit,
    cursor: q.cursor,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as Activity) };
};
