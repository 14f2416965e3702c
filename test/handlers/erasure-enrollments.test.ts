/**
 * Erasure and activities through the deletion-decide handler, with the SDK mocked: places in
 * activities not started are withdrawn (the waitlist promoted) before the volunteer is stripped;
 * a started or checked-into activity keeps the enrollment; pending notifications are cancelled on
 * condition of still being pending, with their outbox key moved, and one a sender took is left.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, activityItem, conditionFailed, ddb, httpEvent, invokeHttp, isoIn, newId, resetMocks, tokenFor, volunteerItem } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as decideDeletion } from '../../functions/http/deletion-requests/decide.js';

const ORG = 'futian.yuanling';
const admin: Principal = { subject: 'u-district', role: 'district_admin', scope: 'futian', accountId: newId() };

beforeEach(() => resetMocks());

describe('POST /v1/deletion-requests/{id}/decide: activities and outbox', () => {
  it('withdraws from activities not started, cancels pending messages, then strips the volunteer', async () => {
    const volunteerId = newId();
    const waitingId = newId();
    const requestId = newId();
    const teamId = newId();
    const [future, started, checkedIn] = [newId(), newId(), newId()];
    const enrollment = (activityId: string, who = volunteerId, status = 'enrolled') => ({
      ...keys.enrollment(activityId, who),
      ...keys.volunteerActivityIndex(who, activityId, 'ENROLL'),
      type: 'Enrollment',
      activityId,
      volunteerId: who,
      status,
      enrolledAt: '2025-01-01T00:00:00.000Z',
    });
    const notification = (dedupeKey: string) => ({
      ...keys.notification(dedupeKey),
      ...keys.outboxIndex('pending', '2025-01-01T00:00:00.000Z', dedupeKey),
      ...keys.volunteerNotificationIndex(volunteerId, '2025-01-01T00:00:00.000Z', dedupeKey),
      type: 'Notification',
      id: dedupeKey,
      dedupeKey,
      status: 'pending',
      template: 'activity-reminder',
      recipientVolunteerId: volunteerId,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const [mine, taken] = [notification('r1'), notification('r2')];

    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({
      Item: { ...keys.rightsRequest(requestId), id: requestId, kind: 'deletion', volunteerId, orgUnitId: ORG, status: 'pending', createdAt: '2025-01-01T00:00:00.000Z', requestedBy: volunteerId },
    });
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId }) });
    ddb.on(GetCommand, { Key: keys.activity(future) }).resolves({ Item: activityItem({ id: future, teamId, startsAt: isoIn(2 * HOUR), endsAt: isoIn(3 * HOUR), capacity: 1 }) });
    ddb.on(GetCommand, { Key: keys.activity(started) }).resolves({ Item: activityItem({ id: started, teamId }) });
    // Check-in opens before the start: an attendance keeps the enrollment even so.
    ddb.on(GetCommand, { Key: keys.activity(checkedIn) }).resolves({ Item: activityItem({ id: checkedIn, teamId, startsAt: isoIn(HOUR / 4), endsAt: isoIn(2 * HOUR) }) });
    for (const activityId of [future, started, checkedIn]) {
      ddb.on(GetCommand, { Key: keys.enrollment(activityId, volunteerId) }).resolves({ Item: enrollment(activityId) });
    }
    let waitlist = [{ ...enrollment(future, waitingId, 'waitlisted'), ...keys.waitlistIndex(future, newId()) }];
    ddb.on(QueryCommand).callsFake((input: any) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === keys.volunteerActivitiesPk(volunteerId)) {
        return {
          Items: [
            enrollment(future),
            enrollment(started),
            enrollment(checkedIn),
            { ...keys.attendance(checkedIn, volunteerId), ...keys.volunteerActivityIndex(volunteerId, checkedIn, 'ATTEND'), type: 'Attendance', activityId: checkedIn, volunteerId },
          ],
        };
      }
      if (pk === keys.waitlistPk(future)) {
        const page = waitlist;
        waitlist = [];
        return { Items: page };
      }
      if (pk === keys.volunteerNotificationsPk(volunteerId)) return { Items: [mine, taken] };
      return { Items: [] };
    });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    // A sender took this one between the read and the update.
    ddb.on(UpdateCommand, { Key: keys.notification('r2') }).rejects(conditionFailed());

    const res = await invokeHttp(
      decideDeletion,
      httpEvent({ method: 'POST', path: `/v1/deletion-requests/${requestId}/decide`, pathParameters: { id: requestId }, body: { decision: 'accept' }, token: await tokenFor(admin) }),
    );
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });

    const calls = ddb.calls().map((c) => c.args[0]) as any[];
    const index = (match: (input: any) => boolean) => calls.findIndex((c) => match(c.input));
    const transactItems = (c: any) => (c.input.TransactItems ?? []) as any[];

    // The place in the future activity goes, with its count; the waiting volunteer is promoted.
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const withdrawal = index((i) => same(i.TransactItems?.[0]?.Delete?.Key, keys.enrollment(future, volunteerId)));
    expect(withdrawal).toBeGreaterThan(0);
    expect(transactItems(calls[withdrawal])[1].Update).toMatchObject({ Key: keys.activity(future), UpdateExpression: 'SET enrolledCount = enrolledCount - :one' });
    const promotion = index((i) => same(i.TransactItems?.[1]?.Update?.Key, keys.enrollment(future, waitingId)));
    expect(promotion).toBeGreaterThan(withdrawal);
    // Started or checked into: kept.
    for (const activityId of [started, checkedIn]) {
      expect(calls.some((c) => transactItems(c).some((t) => same(t.Delete?.Key, keys.enrollment(activityId, volunteerId))))).toBe(false);
    }
    // Pending messages cancelled on condition, the outbox key moved with the status.
    const cancel = calls.find((c) => c.input.Key?.pk === mine.pk);
    expect(cancel.input).toMatchObject({
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: expect.objectContaining({ ':cancelled': 'cancelled', ':reason': 'erasure', ':gsi1pk': keys.outboxPk('cancelled'), ':gsi1sk': mine.gsi1sk }),
    });
    const cancelAt = calls.indexOf(cancel);
    expect(cancelAt).toBeGreaterThan(withdrawal);
    // The volunteer is stripped after both.
    const strip = index((i) => same(i.TransactItems?.[0]?.Update?.Key, keys.volunteer(volunteerId)));
    expect(strip).toBeGreaterThan(cancelAt);
    expect(strip).toBeGreaterThan(promotion);
    // The audit entry lists them.
    expect(transactItems(calls[index((i) => i.TransactItems?.[1]?.Put?.Item?.action === 'deletion.accept')])[1].Put.Item.after.erased).toEqual(
      expect.arrayContaining(['upcomingEnrollments', 'pendingNotifications']),
    );
  });
});
