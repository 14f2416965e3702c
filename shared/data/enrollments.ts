/**
 * Enrollment with capacity and a waitlist. The activity's enrolledCount and each enrollment
 * move together in one transaction whose condition is `enrolledCount < capacity`, so enrolled
 * never exceeds capacity however many people sign up at once.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import type { Principal } from '../domain/access.js';
import { recordAudit } from './audit.js';
import { Failure, conflict, notFound } from '../errors.js';
import { db, failedConditionIndex, isConditionFailure, itemAtFailedCondition, retryOnConflict, table } from './client.js';
import { keys, withoutKeys } from './keys.js';
import { ACTIVITY, findActivity, getActivity, type Activity } from './activities.js';
import { queryAll, queryPage } from './query.js';
import { volunteerTakesPart, whyNotTakingPart } from './participation.js';

export type EnrollmentStatus = 'enrolled' | 'waitlisted';

export interface Enrollment {
  activityId: string;
  volunteerId: string;
  status: EnrollmentStatus;
  enrolledAt: string;
  /** Waitlist order (a ULID), only while waitlisted. */
  waitlistPosition?: string;
  /** The volunteer was erased; the place is kept for the hour records, but nobody is reminded. */
  volunteerErased?: boolean;
}

const ENROLLMENT = { zh: '报名记录', en: 'Enrollment' };
const VOLUNTEER = { zh: '志愿者', en: 'Volunteer' };
const alreadyEnrolled = () => conflict({ zh: '已报名该活动', en: 'Already signed up for this activity' });
const notOpen = () => conflict({ zh: '活动未发布或已结束，不能报名', en: 'The activity is not open for sign-up' });

const openCondition = '#status = :published AND endsAt > :now';

/**
 * The audit item of an enrollment made by staff (an organiser signing a volunteer up), built per
 * attempt so it commits with the enrollment; none when volunteers sign themselves up.
 */
type EnrollmentAudit = ((enrollment: Enrollment) => ReturnType<typeof recordAudit>) | undefined;

const staffAudit = (activity: Pick<Activity, 'id' | 'orgUnitId'>, actor: Principal | undefined): EnrollmentAudit =>
  actor
    ? (enrollment) =>
        recordAudit({
          actor,
          action: 'enrollment.create',
          target: { type: 'activity', id: activity.id },
          before: null,
          after: enrollment,
          orgUnitId: activity.orgUnitId,
          about: { type: 'volunteer', id: enrollment.volunteerId },
        })
    : undefined;

/** Full: no place for a newcomer. `placeOpen`: a place is free while others wait (a promotion under way or cut short). */
type Full = { full: true; placeOpen: boolean };

/** The activity as the failed condition saw it (no second read), or read again if it is not there. */
const activityAtFailure = async (error: unknown, activityId: string) => {
  const seen = itemAtFailedCondition(error, 0) as unknown as Activity | undefined;
  return seen ?? getActivity(activityId, true);
};

const tryEnroll = async (activityId: string, volunteerId: string, now: string, audit?: EnrollmentAudit): Promise<Enrollment | Full> => {
  const enrollment: Enrollment = { activityId, volunteerId, status: 'enrolled', enrolledAt: now };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.activity(activityId),
              UpdateExpression: 'SET enrolledCount = enrolledCount + :one',
              // Nobody jumps the queue: while anyone waits, a newcomer joins the waitlist.
              ConditionExpression: `${openCondition} AND enrolledCount < #capacity AND waitlistCount = :zero`,
              ExpressionAttributeNames: { '#status': 'status', '#capacity': 'capacity' },
              ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':published': 'published', ':now': now },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.enrollment(activityId, volunteerId), ...keys.volunteerActivityIndex(volunteerId, activityId, 'ENROLL'), type: 'Enrollment', ...enrollment },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(audit ? [audit(enrollment)] : []),
          volunteerTakesPart(volunteerId),
        ],
      }),
    );
    return enrollment;
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 1) throw alreadyEnrolled();
    if (failed === 0) {
      const activity = await activityAtFailure(error, activityId);
      if (activity.status !== 'published' || activity.endsAt <= now) throw notOpen();
      return { full: true, placeOpen: activity.enrolledCount < activity.capacity };
    }
    if (failed === (audit ? 3 : 2)) throw whyNotTakingPart(error, failed) ?? notFound(VOLUNTEER);
    throw error;
  }
};

/** Joins the waitlist, but only while the activity is still full (else the caller enrolls again). */
const tryWaitlist = async (activityId: string, volunteerId: string, now: string, audit?: EnrollmentAudit): Promise<Enrollment | 'space'> => {
  const position = ulid();
  const enrollment: Enrollment = { activityId, volunteerId, status: 'waitlisted', enrolledAt: now, waitlistPosition: position };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.activity(activityId),
              UpdateExpression: 'SET waitlistCount = waitlistCount + :one',
              ConditionExpression: `${openCondition} AND (enrolledCount >= #capacity OR waitlistCount > :zero)`,
              ExpressionAttributeNames: { '#status': 'status', '#capacity': 'capacity' },
              ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':published': 'published', ':now': now },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: {
                ...keys.enrollment(activityId, volunteerId),
                ...keys.waitlistIndex(activityId, position),
                ...keys.volunteerActivityIndex(volunteerId, activityId, 'ENROLL'),
                type: 'Enrollment',
                ...enrollment,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(audit ? [audit(enrollment)] : []),
          volunteerTakesPart(volunteerId),
        ],
      }),
    );
    return enrollment;
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 1) throw alreadyEnrolled();
    if (failed === 0) {
      const activity = await activityAtFailure(error, activityId);
      if (activity.status !== 'published' || activity.endsAt <= now) throw notOpen();
      return 'space';
    }
    if (failed === (audit ? 3 : 2)) throw whyNotTakingPart(error, failed) ?? notFound(VOLUNTEER);
    throw error;
  }
};

/** Signs a volunteer up; `byStaff` (an organiser enrolling someone else) is audited with the enrollment. */
export const enroll = async (activity: Pick<Activity, 'id' | 'orgUnitId'>, volunteerId: string, byStaff?: Principal): Promise<Enrollment> => {
  const activityId = activity.id;
  const audit = staffAudit(activity, byStaff);
  for (let round = 0; round < 5; round++) {
    const now = new Date().toISOString();
    const enrolled = await retryOnConflict(() => tryEnroll(activityId, volunteerId, now, audit));
    if (!('full' in enrolled)) return enrolled;
    const waitlisted = await retryOnConflict(() => tryWaitlist(activityId, volunteerId, now, audit));
    if (waitlisted !== 'space') {
      // A place freed after the enroll attempt goes to the waitlist by the withdrawal's own
      // promotion (and if the waitlist was empty, the waitlist write fails and we enroll).
      // Only a place seen free while others waited needs filling here: that withdrawal's
      // promotion is still running or was cut short.
      if (!enrolled.placeOpen) return waitlisted;
      await fillFromWaitlist(activityId);
      return (await findEnrollment(activityId, volunteerId)) ?? waitlisted;
    }
  }
  throw conflict({ zh: '报名人数变化过快，请重试', en: 'Places changed too quickly; retry' });
};

export const findEnrollment = async (activityId: string, volunteerId: string): Promise<Enrollment | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.enrollment(activityId, volunteerId), ConsistentRead: true }));
  return out.Item ? (withoutKeys(out.Item) as unknown as Enrollment) : undefined;
};

/** Promotes waitlisted volunteers, oldest first, while there is a free place. */
export const fillFromWaitlist = async (activityId: string): Promise<string[]> => {
  const promoted: string[] = [];
  for (;;) {
    const next = await db.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.waitlistPk(activityId) },
        Limit: 1,
      }),
    );
    const first = next.Items?.[0];
    if (!first) return promoted;
    try {
      await retryOnConflict(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table(),
                  Key: keys.activity(activityId),
                  UpdateExpression: 'SET enrolledCount = enrolledCount + :one, waitlistCount = waitlistCount - :one',
                  ConditionExpression: 'enrolledCount < #capacity',
                  ExpressionAttributeNames: { '#capacity': 'capacity' },
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              {
                Update: {
                  TableName: table(),
                  Key: keys.enrollment(activityId, first.volunteerId as string),
                  UpdateExpression: 'SET #status = :enrolled, promotedAt = :now REMOVE gsi1pk, gsi1sk, waitlistPosition',
                  ConditionExpression: '#status = :waitlisted',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':enrolled': 'enrolled', ':waitlisted': 'waitlisted', ':now': new Date().toISOString() },
                },
              },
            ],
          }),
        ),
      );
      promoted.push(first.volunteerId as string);
    } catch (error) {
      const failed = failedConditionIndex(error);
      if (failed === 0) return promoted; // no free place
      if (failed === 1) continue; // someone else promoted or removed them; look again
      throw error;
    }
  }
};

/** Withdraws a volunteer; a freed place goes to the first on the waitlist. */
export const withdraw = async (activityId: string, volunteerId: string) => {
  // The status read decides which counter goes down; a promotion between the read and the delete
  // changes it, so the delete's condition fails and the enrollment is read again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const enrollment = await findEnrollment(activityId, volunteerId);
    if (!enrollment) throw notFound(ENROLLMENT);
    const counter = enrollment.status === 'enrolled' ? 'enrolledCount' : 'waitlistCount';
    try {
      await retryOnConflict(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: table(),
                  Key: keys.enrollment(activityId, volunteerId),
                  ConditionExpression: '#status = :status',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':status': enrollment.status },
                },
              },
              {
                Update: {
                  TableName: table(),
                  Key: keys.activity(activityId),
                  UpdateExpression: `SET ${counter} = ${counter} - :one`,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        ),
      );
    } catch (error) {
      if (failedConditionIndex(error) === 0) continue;
      if (failedConditionIndex(error) === 1) throw notFound(ACTIVITY);
      throw error;
    }
    const promoted = enrollment.status === 'enrolled' ? await fillFromWaitlist(activityId) : [];
    return { withdrawn: enrollment, promoted };
  }
  throw conflict({ zh: '报名状态已变化，请重试', en: 'The enrollment changed meanwhile; retry' });
};

/** Every enrollment and attendance item of a volunteer (gsi2, all pages). */
const activityItemsOf = (volunteerId: string) => queryAll('gsi2', keys.volunteerActivitiesPk(volunteerId));

/**
 * Erasure (shared/data/rights.ts): withdraws a volunteer from every activity that has not started
 * by `now`, and from every waitlist, as `withdraw` does, so a freed place goes to the waitlist.
 * A place in a started or ended activity, or one checked into (check-in opens before the start),
 * is kept, because hour records rest on it, and marked so that nobody reminds the pseudonym.
 * Idempotent: one already gone is skipped.
 */
export const withdrawFromUpcoming = async (volunteerId: string, now = new Date()) => {
  const items = await activityItemsOf(volunteerId);
  const attended = new Set(items.filter((i) => i.type === 'Attendance').map((i) => String(i.activityId)));
  const withdrawn: string[] = [];
  const promoted: string[] = [];
  for (const item of items.filter((i) => i.type === 'Enrollment')) {
    const activityId = String(item.activityId);
    const activity = await findActivity(activityId, true);
    if (!activity) continue;
    // A waitlisted place serves nothing, started or not: it goes, or the pseudonym would be promoted.
    const kept = item.status === 'enrolled' && (attended.has(activityId) || Date.parse(activity.startsAt) <= now.getTime());
    if (kept) {
      await db.send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.enrollment(activityId, volunteerId),
          UpdateExpression: 'SET volunteerErased = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      ).catch((error) => {
        if (!isConditionFailure(error)) throw error; // withdrawn meanwhile
      });
      continue;
    }
    // The index may lag, and a promotion may change the status between read and delete: re-read.
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await withdraw(activityId, volunteerId);
        withdrawn.push(activityId);
        promoted.push(...out.promoted);
        break;
      } catch (error) {
        if (error instanceof Failure && error.kind === 'not-found') break;
        if (error instanceof Failure && error.kind === 'conflict' && attempt < 4) continue;
        throw error;
      }
    }
  }
  return { withdrawn, promoted };
};

/** Enrolled volunteers of an activity (for reminders), page by page. */
export const listEnrolled = (activity: Pick<Activity, 'id'>, limit: number, cursor?: string) =>
  queryPage<Enrollment>({
    pkName: 'pk',
    pk: keys.activity(activity.id).pk,
    sortKey: { name: 'sk', expression: 'begins_with(#sk, :prefix)', values: { ':prefix': keys.enrollmentPrefix } },
    filter: { expression: '#st = :enrolled', names: { '#st': 'status' }, values: { ':enrolled': 'enrolled' } },
    limit,
    cursor,
  });

