/**
 * Hour records: written pending (by check-out or organiser back-fill), then verified or
 * rejected by the verification consumer, then tallied once.
 */
import { GetCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import type { RejectionReason } from '../domain/hours.js';
import { conflict, notFound } from '../errors.js';
import { db, failedConditionIndex, table } from './client.js';
import { volunteerTakesPart, whyNotTakingPart } from './participation.js';
import { keys, levelQuery, withoutKeys } from './keys.js';
import { CITY_ID, type Principal } from '../domain/access.js';
import { recordAudit } from './audit.js';
import { queryPage } from './query.js';

export type HourStatus = 'pending' | 'verified' | 'rejected';

export interface HourRecord {
  id: string;
  volunteerId: string;
  volunteerName: string;
  /** The volunteer's org node: rankings count the record there. */
  volunteerOrgUnitId: string;
  activityId: string;
  activityTitle: string;
  teamId: string;
  teamName?: string;
  /** The activity's org node: org totals count the record there. */
  orgUnitId: string;
  startedAt: string;
  endedAt: string;
  /** Whole minutes actually served; set at verification. */
  minutes: number;
  status: HourStatus;
  reason?: RejectionReason;
  reasonDetail?: string;
  source: 'check-out' | 'back-fill';
  note?: string;
  createdAt: string;
  createdBy: string;
  verifiedAt?: string;
}

export const HOUR_RECORD = { zh: '工时记录', en: 'Hour record' };

export type NewHourRecord = Omit<HourRecord, 'id' | 'status' | 'createdAt' | 'minutes'> & { minutes: number };

/**
 * Who and what a new record is about, denormalised from the activity, its team and the
 * volunteer (rankings and lists read them without further lookups).
 */
export const recordContext = (
  activity: { id: string; title: string; orgUnitId: string },
  team: { id: string; name: string },
  volunteer: { id: string; name: string; orgUnitId: string },
  createdBy: string,
) => ({
  volunteerId: volunteer.id,
  volunteerName: volunteer.name,
  volunteerOrgUnitId: volunteer.orgUnitId,
  activityId: activity.id,
  activityTitle: activity.title,
  teamId: team.id,
  teamName: team.name,
  orgUnitId: activity.orgUnitId,
  minutes: 0,
  createdBy,
});

const itemOf = (record: HourRecord) => ({
  ...keys.hourRecord(record.id),
  ...keys.volunteerHoursIndex(record.volunteerId, record.startedAt, record.id),
  ...(record.status === 'pending' ? keys.pendingHourLevels(record.orgUnitId, record.createdAt, record.id) : {}),
  type: 'HourRecord',
  ...record,
});

const newRecord = (input: NewHourRecord): HourRecord => ({
  id: ulid(),
  status: 'pending',
  createdAt: new Date().toISOString(),
  ...input,
});

/** Organiser back-fill: a pending record; verification decides. Audited in the same transaction. */
export const createPendingRecord = async (input: NewHourRecord, actor: Principal) => {
  const record = newRecord(input);
  const { volunteerName: _name, ...audited } = record;
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table(), Item: itemOf(record), ConditionExpression: 'attribute_not_exists(pk)' } },
          recordAudit({
            actor,
            action: 'hours.back-fill',
            target: { type: 'hourRecord', id: record.id },
            before: null,
            after: audited,
            orgUnitId: record.orgUnitId,
            about: { type: 'volunteer', id: record.volunteerId },
          }),
          // The copied name is still the volunteer's: a correction or erasure is not overtaken.
          volunteerTakesPart(record.volunteerId, record.volunteerName),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 2) throw whyNotTakingPart(error, 2) ?? notFound({ zh: '志愿者', en: 'Volunteer' });
    throw error;
  }
  return record;
};

export const checkIn = async (activityId: string, volunteerId: string, at: string, position?: { lat?: number; lng?: number }) => {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table(),
              Key: keys.enrollment(activityId, volunteerId),
              ConditionExpression: '#status = :enrolled',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':enrolled': 'enrolled' },
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.attendance(activityId, volunteerId), ...keys.volunteerActivityIndex(volunteerId, activityId, 'ATTEND'), type: 'Attendance', activityId, volunteerId, checkedInAt: at, checkInPosition: position },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          volunteerTakesPart(volunteerId),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw conflict({ zh: '未报名或仍在候补，不能签到', en: 'Only enrolled volunteers can check in' });
    if (failed === 1) throw conflict({ zh: '已签到', en: 'Already checked in' });
    if (failed === 2) throw whyNotTakingPart(error, 2) ?? notFound({ zh: '志愿者', en: 'Volunteer' });
    throw error;
  }
  return { activityId, volunteerId, checkedInAt: at };
};

export const findAttendance = async (activityId: string, volunteerId: string) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.attendance(activityId, volunteerId), ConsistentRead: true }));
  return out.Item as { checkedInAt: string; checkedOutAt?: string; hourRecordId?: string } | undefined;
};

/** Closes the attendance and writes its pending hour record in one transaction. */
export const checkOut = async (
  input: Omit<NewHourRecord, 'startedAt' | 'source'> & { endedAt: string },
  position?: { lat?: number; lng?: number },
) => {
  const attendance = await findAttendance(input.activityId, input.volunteerId);
  if (!attendance) throw conflict({ zh: '尚未签到，不能签退', en: 'Check in before checking out' });
  if (attendance.checkedOutAt) throw conflict({ zh: '已签退', en: 'Already checked out' });
  const record = newRecord({ ...input, startedAt: attendance.checkedInAt, source: 'check-out' });
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.attendance(input.activityId, input.volunteerId),
              UpdateExpression: 'SET checkedOutAt = :at, hourRecordId = :record, checkOutPosition = :position',
              ConditionExpression: 'attribute_exists(checkedInAt) AND attribute_not_exists(checkedOutAt)',
              ExpressionAttributeValues: { ':at': input.endedAt, ':record': record.id, ':position': position ?? null },
            },
          },
          { Put: { TableName: table(), Item: itemOf(record), ConditionExpression: 'attribute_not_exists(pk)' } },
          volunteerTakesPart(record.volunteerId, record.volunteerName),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw conflict({ zh: '已签退', en: 'Already checked out' });
    if (failed === 2) throw whyNotTakingPart(error, 2) ?? notFound({ zh: '志愿者', en: 'Volunteer' });
    throw error;
  }
  return record;
};

export const findHourRecord = async (id: string, consistent = false): Promise<HourRecord | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.hourRecord(id), ConsistentRead: consistent }));
  return out.Item ? (withoutKeys(out.Item) as unknown as HourRecord) : undefined;
};

export const getHourRecord = async (id: string) => {
  const record = await findHourRecord(id);
  if (!record) throw notFound(HOUR_RECORD);
  return record;
};

/** A volunteer's records, newest start first. */
export const listVolunteerRecords = async (volunteerId: string, limit: number, cursor?: string) => {
  const page = await queryPage<Record<string, unknown>>({
    index: 'gsi1',
    pkName: 'gsi1pk',
    pk: keys.volunteerHoursPk(volunteerId),
    limit,
    cursor,
    newestFirst: true,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as HourRecord) };
};

/** A volunteer's records starting in [fromIso, toIso] (all statuses), for overlap and daily-cap checks. */
export const listVolunteerRecordsBetween = async (volunteerId: string, fromIso: string, toIso: string) => {
  const records: HourRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<Record<string, unknown>>({
      index: 'gsi1',
      pkName: 'gsi1pk',
      pk: keys.volunteerHoursPk(volunteerId),
      sortKey: { name: 'gsi1sk', expression: '#sk BETWEEN :from AND :to', values: { ':from': fromIso, ':to': `${toIso}~` } },
      limit: 100,
      cursor,
    });
    records.push(...page.items.map((i) => withoutKeys(i) as unknown as HourRecord));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return records;
};

/**
 * Records the verification decision. The volunteer's ledger version is bumped in the same
 * transaction: two decisions for one volunteer made from the same view of their records
 * cannot both commit, so overlap and daily-cap checks hold under concurrency.
 */
export const decide = async (
  record: HourRecord,
  ledgerVersion: number,
  decision: { status: 'verified'; minutes: number } | { status: 'rejected'; reason: RejectionReason; detail: string },
) => {
  const now = new Date().toISOString();
  const set =
    decision.status === 'verified'
      ? { expr: `SET #status = :status, minutes = :minutes, verifiedAt = :now`, names: {} as Record<string, string>, values: { ':minutes': decision.minutes } }
      : {
          expr: 'SET #status = :status, #reason = :reason, reasonDetail = :detail, verifiedAt = :now',
          names: { '#reason': 'reason' },
          values: { ':reason': decision.reason, ':detail': decision.detail },
        };
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table(),
            Key: keys.volunteerLedger(record.volunteerId),
            UpdateExpression: 'SET #version = :next',
            ConditionExpression: ledgerVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :current',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':next': ledgerVersion + 1, ...(ledgerVersion === 0 ? {} : { ':current': ledgerVersion }) },
          },
        },
        {
            Update: {
              TableName: table(),
              Key: keys.hourRecord(record.id),
              // Leaves the pending index: decided records are no longer awaiting anyone.
              UpdateExpression: `${set.expr} REMOVE ${keys.levelKeyNames.join(', ')}`,
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status', ...set.names },
              ExpressionAttributeValues: { ':status': decision.status, ':pending': 'pending', ':now': now, ...set.values },
            },
          },
        ],
      }),
    );
};

export const ledgerVersionOf = async (volunteerId: string) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.volunteerLedger(volunteerId), ConsistentRead: true }));
  return (out.Item?.version as number | undefined) ?? 0;
};

/** Records still pending that were written before `olderThan`, across the city, oldest first. */
export const listPendingBefore = async (olderThan: string, limit: number, cursor?: string) => {
  const where = levelQuery('PENDINGHOUR', CITY_ID);
  const page = await queryPage<Record<string, unknown>>({
    index: where.index,
    pkName: where.pkName,
    pk: where.pk,
    sortKey: { name: where.skName, expression: '#sk < :before', values: { ':before': olderThan } },
    limit,
    cursor,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as HourRecord) };
};
