/**
 * Erasure and activities, end to end through the local runtime: accepting a deletion request
 * withdraws the volunteer from activities that have not started (a waitlisted volunteer takes the
 * freed place, as on any withdrawal), keeps the enrollment in one that has started (hour records
 * rest on it), and cancels the reminder queued for them. Accepting again, also after an
 * interruption, changes nothing.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../shared/data/keys.js';
import {
  api,
  cityAdmin,
  createActivity,
  createTeam,
  createVolunteer,
  dynamo,
  expectStatus,
  leaderToken,
  publish,
  tableName,
  volunteerToken,
  type Activity,
  type Volunteer,
} from './client.js';

const ORG = 'futian.shatou';
const MIN = 60_000;
const at = (minutes: number) => new Date(Date.now() + minutes * MIN);

describe('erasure and activities', () => {
  const ddb = dynamo();
  let admin: string;
  let leader: string;
  /** The volunteer whose data is erased, one waiting for their place, one ahead of them elsewhere. */
  let erased: Volunteer;
  let waiting: Volunteer;
  let ahead: Volunteer;
  /** Full, starts in 2 h: `erased` enrolled, `waiting` on the waitlist. */
  let soon: Activity;
  /** Full, starts in 3 h: `ahead` enrolled, `erased` on the waitlist. */
  let waitedFor: Activity;
  /** Started half an hour ago: `erased` enrolled. */
  let started: Activity;
  let requestId: string;
  let team: { id: string };
  /** Started, full: `first` enrolled, `erased` then `behind` waiting. */
  let startedFull: Activity;
  let first: Volunteer;
  let behind: Volunteer;
  /** Starts in 20 min: `erased` enrolled and already checked in (check-in opens 30 min early). */
  let early: Activity;

  const enrollment = async (a: Activity, v: Volunteer) =>
    (await ddb.send(new GetCommand({ TableName: tableName(), Key: keys.enrollment(a.id, v.id), ConsistentRead: true }))).Item;
  const reminderOf = async (a: Activity, v: Volunteer) =>
    (
      await ddb.send(
        new GetCommand({ TableName: tableName(), Key: keys.notification(`activity-reminder#${a.id}#${v.id}#${a.startsAt}`), ConsistentRead: true }),
      )
    ).Item;
  const activity = async (a: Activity) => expectStatus(await api<Activity & { waitlistCount: number }>(`/v1/activities/${a.id}`, { token: admin }), 200, 'activity');
  const signUp = async (a: Activity, v: Volunteer) =>
    expectStatus(await api(`/v1/activities/${a.id}/enrollments`, { token: await volunteerToken(v.id), body: { volunteerId: v.id } }), 201, 'sign up');
  /** Accepts again until the erasure has finished (a 409 means another accept is still at it). */
  const eventuallyErased = async (id: string, decide: () => Promise<{ status: number; body: any }>) => {
    for (let i = 0; i < 40; i++) {
      const res = await decide();
      if (res.status === 200 && res.body.erasedAt) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`request ${id} was not erased`);
  };
  const accept = async () => expectStatus(await api(`/v1/deletion-requests/${requestId}/decide`, { token: admin, body: { decision: 'accept' } }), 200, 'accept deletion');

  /** What the erasure may touch, as one comparable value. */
  const snapshot = async () => ({
    soon: await activity(soon).then((a) => [a.enrolledCount, a.waitlistCount]),
    waitedFor: await activity(waitedFor).then((a) => [a.enrolledCount, a.waitlistCount]),
    started: await activity(started).then((a) => [a.enrolledCount, a.waitlistCount]),
    erasedInSoon: await enrollment(soon, erased),
    erasedInWaitedFor: await enrollment(waitedFor, erased),
    erasedInStarted: (await enrollment(started, erased))?.status,
    waitingInSoon: (await enrollment(soon, waiting))?.status,
    aheadInWaitedFor: (await enrollment(waitedFor, ahead))?.status,
    reminder: await reminderOf(soon, erased),
  });

  beforeAll(async () => {
    admin = await cityAdmin();
    team = await createTeam(admin, ORG);
    leader = await leaderToken(team.id);
    [erased, waiting, ahead] = [await createVolunteer(admin, ORG), await createVolunteer(admin, ORG), await createVolunteer(admin, ORG)];
    [first, behind] = [await createVolunteer(admin, ORG), await createVolunteer(admin, ORG)];
    soon = await createActivity(leader, { teamId: team.id, title: '沙头社区巡逻', startsAt: at(120), endsAt: at(240), capacity: 1 });
    waitedFor = await createActivity(leader, { teamId: team.id, title: '沙头义诊', startsAt: at(180), endsAt: at(300), capacity: 1 });
    started = await createActivity(leader, { teamId: team.id, title: '沙头交通劝导', startsAt: at(-30), endsAt: at(120), capacity: 5 });
    for (const a of [soon, waitedFor, started]) await publish(leader, a.id);

    expect(await signUp(soon, erased)).toMatchObject({ status: 'enrolled' });
    expect(await signUp(soon, waiting)).toMatchObject({ status: 'waitlisted' });
    expect(await signUp(waitedFor, ahead)).toMatchObject({ status: 'enrolled' });
    expect(await signUp(waitedFor, erased)).toMatchObject({ status: 'waitlisted' });
    expect(await signUp(started, erased)).toMatchObject({ status: 'enrolled' });

    // The daily reminders, now: the erased volunteer's place in `soon` gets one.
    expectStatus(await api('/_local/schedules/send-reminders', { method: 'POST' }), 200, 'fire send-reminders');
    expect(await reminderOf(soon, erased)).toMatchObject({ status: 'pending', recipientVolunteerId: erased.id });
    expect(await reminderOf(waitedFor, ahead)).toMatchObject({ status: 'pending' });

    // After the reminders ran: places that erasure keeps or must not hand to the pseudonym.
    startedFull = await createActivity(leader, { teamId: team.id, title: '沙头夜巡', startsAt: at(-30), endsAt: at(120), capacity: 1 });
    early = await createActivity(leader, { teamId: team.id, title: '沙头集合', startsAt: at(20), endsAt: at(140), capacity: 5 });
    for (const a of [startedFull, early]) await publish(leader, a.id);
    expect(await signUp(startedFull, first)).toMatchObject({ status: 'enrolled' });
    expect(await signUp(startedFull, erased)).toMatchObject({ status: 'waitlisted' });
    expect(await signUp(startedFull, behind)).toMatchObject({ status: 'waitlisted' });
    expect(await signUp(early, erased)).toMatchObject({ status: 'enrolled' });
    expectStatus(await api(`/v1/activities/${early.id}/check-ins`, { token: admin, body: { volunteerId: erased.id } }), 201, 'early check-in');

    const request = expectStatus(await api('/v1/me/deletion-request', { token: await volunteerToken(erased.id), body: {} }), 201, 'deletion request');
    requestId = request.id;
  });

  it('withdraws the volunteer from activities not started: the waitlisted volunteer takes the place', async () => {
    const done = await accept();
    expect(done).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });

    expect(await enrollment(soon, erased)).toBeUndefined();
    expect(await enrollment(soon, waiting)).toMatchObject({ status: 'enrolled' });
    expect(await activity(soon)).toMatchObject({ enrolledCount: 1, waitlistCount: 0 });
    // Off a waitlist too; the one enrolled ahead of them is untouched.
    expect(await enrollment(waitedFor, erased)).toBeUndefined();
    expect(await enrollment(waitedFor, ahead)).toMatchObject({ status: 'enrolled' });
    expect(await activity(waitedFor)).toMatchObject({ enrolledCount: 1, waitlistCount: 0 });
  });

  it('takes the volunteer off a waitlist even in a started activity: the next withdrawal promotes the one behind', async () => {
    expect(await enrollment(startedFull, erased)).toBeUndefined();
    expect(await activity(startedFull)).toMatchObject({ enrolledCount: 1, waitlistCount: 1 });
    expect((await api(`/v1/activities/${startedFull.id}/enrollments/${first.id}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect(await enrollment(startedFull, behind)).toMatchObject({ status: 'enrolled' });
  });

  it('keeps a place checked into early, but reminds no one of it', async () => {
    expect(await enrollment(early, erased)).toMatchObject({ status: 'enrolled', volunteerErased: true });
    expectStatus(await api('/_local/schedules/send-reminders', { method: 'POST' }), 200, 'fire send-reminders');
    expect(await reminderOf(early, erased)).toBeUndefined();
  });

  it('keeps the enrollment in an activity that has already started', async () => {
    expect(await enrollment(started, erased)).toMatchObject({ status: 'enrolled', volunteerId: erased.id });
    expect(await activity(started)).toMatchObject({ enrolledCount: 1 });
  });

  it("cancels the volunteer's pending reminder, moving it out of the pending outbox; others' stay pending", async () => {
    const reminder = await reminderOf(soon, erased);
    expect(reminder).toMatchObject({ status: 'cancelled', cancelledReason: 'erasure', gsi1pk: keys.outboxPk('cancelled') });
    const pending = expectStatus(await api<{ items: any[] }>('/_local/outbox'), 200, 'outbox');
    expect(pending.items.some((n) => n.recipientVolunteerId === erased.id)).toBe(false);
    expect(await reminderOf(waitedFor, ahead)).toMatchObject({ status: 'pending' });
    // The audit entry says what went.
    const audit = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    const entry = audit.items.find((e: any) => e.action === 'deletion.accept' && e.target.id === erased.id);
    expect(entry.after.erased).toEqual(expect.arrayContaining(['upcomingEnrollments', 'pendingNotifications']));
  });

  it('records nothing new for the erased volunteer: no sign-up, team membership, back-fill or check-out (409)', async () => {
    const refused = (res: { status: number; body: any }) => {
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/erased/);
    };
    const later = await createActivity(leader, { teamId: team.id, title: '沙头敬老', startsAt: at(300), endsAt: at(360), capacity: 5 });
    await publish(leader, later.id);
    refused(await api(`/v1/activities/${later.id}/enrollments`, { token: admin, body: { volunteerId: erased.id } }));
    refused(await api(`/v1/teams/${team.id}/members`, { token: admin, body: { volunteerId: erased.id, role: 'member' } }));
    refused(
      await api('/v1/hour-records', {
        token: admin,
        body: { volunteerId: erased.id, activityId: started.id, startedAt: at(-25).toISOString(), endedAt: at(-5).toISOString() },
      }),
    );
    // The place kept in the started activity takes no check-in, and no hours follow.
    refused(await api(`/v1/activities/${started.id}/check-ins`, { token: admin, body: { volunteerId: erased.id } }));
    refused(await api(`/v1/activities/${started.id}/check-outs`, { token: admin, body: { volunteerId: erased.id } }));
    refused(
      await api('/v1/consents', {
        token: admin,
        body: { subjectType: 'volunteer', subjectId: erased.id, purpose: 'registration', policyVersion: 'v2', granted: true, documentRef: 'D-1' },
      }),
    );
  });

  it('answers accepts sent at once with 200 or 409 (under way), never a 5xx, and erases once', async () => {
    const other = await createVolunteer(admin, ORG);
    const filed = expectStatus(await api('/v1/me/deletion-request', { token: await volunteerToken(other.id), body: {} }), 201, 'deletion request');
    const decide = () => api(`/v1/deletion-requests/${filed.id}/decide`, { token: admin, body: { decision: 'accept' } });
    const answers = await Promise.all([decide(), decide(), decide(), decide()]);
    for (const a of answers) expect([200, 409]).toContain(a.status);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    const last = await eventuallyErased(filed.id, decide);
    expect(last).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });
    expect(last.reason).toBeUndefined();
  });

  it('refuses a phone correction once erasure has begun: erasure has read the phone whose uniqueness items it deletes', async () => {
    const v = await createVolunteer(admin, ORG);
    const filed = expectStatus(
      await api('/v1/me/correction-requests', { token: await volunteerToken(v.id), body: { field: 'phone', proposedValue: '13800001111', reason: '换号' } }),
      201,
      'correction request',
    );
    const phoneNow = async () => (await ddb.send(new GetCommand({ TableName: tableName(), Key: keys.volunteer(v.id), ConsistentRead: true }))).Item?.phone;
    const before = await phoneNow();
    // As an erasure does first (shared/data/rights.ts, step 0).
    await ddb.send(new UpdateCommand({ TableName: tableName(), Key: keys.volunteer(v.id), UpdateExpression: 'SET erasing = :r', ExpressionAttributeValues: { ':r': 'test' } }));
    const res = await api(`/v1/correction-requests/${filed.id}/decide`, { token: admin, body: { decision: 'accept' } });
    expect(res.status).toBe(409);
    expect(await phoneNow()).toBe(before);
  });

  it('once erasure has begun, no correction or deletion request is filed and no reminder is queued for the volunteer', async () => {
    const v = await createVolunteer(admin, ORG);
    const a = await createActivity(leader, { teamId: team.id, title: '沙头探访', startsAt: at(90), endsAt: at(150), capacity: 5 });
    await publish(leader, a.id);
    await signUp(a, v);
    const token = await volunteerToken(v.id);
    // As an erasure does first (shared/data/rights.ts, step 0), before it reads what to remove.
    await ddb.send(new UpdateCommand({ TableName: tableName(), Key: keys.volunteer(v.id), UpdateExpression: 'SET erasing = :r', ExpressionAttributeValues: { ':r': 'test' } }));

    const correction = await api('/v1/me/correction-requests', { token, body: { field: 'name', proposedValue: '王五', reason: '改名' } });
    expect(correction.status).toBe(409);
    expect((await api('/v1/me/deletion-request', { token, body: {} })).status).toBe(409);
    // The daily reminders read the enrollment (kept until step 7) but the outbox write is refused.
    expectStatus(await api('/_local/schedules/send-reminders', { method: 'POST' }), 200, 'fire send-reminders');
    expect(await reminderOf(a, v)).toBeUndefined();
  });

  it('accepting again changes nothing, also when resuming an erasure that looks interrupted', async () => {
    const before = await snapshot();
    const again = await accept();
    expect(again.erasedAt).toBeDefined();
    expect(await snapshot()).toEqual(before);

    // As if it had stopped before its last step: the steps run again over what is already done.
    const unfinish = (key: { pk: string; sk: string }) =>
      ddb.send(new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: 'REMOVE erasedAt' }));
    await unfinish(keys.rightsRequest(requestId));
    await unfinish(keys.volunteer(erased.id));
    const resumed = await accept();
    expect(resumed).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });
    expect(await snapshot()).toEqual(before);
  });
});
