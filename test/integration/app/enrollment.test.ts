/**
 * Sign-up under load: capacity holds whatever the concurrency, the waitlist keeps arrival
 * order, a withdrawal promotes the first waitlisted volunteer, and closed activities refuse.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../shared/data/keys.js';
import {
  api,
  cityAdmin,
  createActivity,
  createTeam,
  createVolunteer,
  dynamo,
  expectStatus,
  inBatches,
  leaderToken,
  publish,
  sleep,
  tableName,
  volunteerToken,
  type Activity,
  type ApiResponse,
  type Team,
  type Volunteer,
} from './client.js';

const MIN = 60_000;
const CAPACITY = 10;
const SIGN_UPS = 100;

interface Enrollment {
  activityId: string;
  volunteerId: string;
  status: 'enrolled' | 'waitlisted';
  waitlistPosition?: string;
}

const signUp = (activityId: string, volunteerId: string, token: string) =>
  api<Enrollment>(`/v1/activities/${activityId}/enrollments`, { token, body: { volunteerId } });

describe('enrollment', () => {
  let admin: string;
  let leader: string;
  let team: Team;
  let volunteers: Volunteer[];
  let tokens: string[];
  let activity: Activity;
  const results = new Map<string, Enrollment>();

  const getActivity = async (id = activity.id) => expectStatus(await api<Activity>(`/v1/activities/${id}`, { token: admin }), 200);

  beforeAll(async () => {
    admin = await cityAdmin();
    team = await createTeam(admin, 'luohu.dongmen');
    leader = await leaderToken(team.id);
    // Created beforehand, a few at a time: the race under test is the sign-up, not registration.
    volunteers = await inBatches(Array.from({ length: SIGN_UPS + 2 }), 8, () => createVolunteer(admin, 'luohu.dongmen'));
    tokens = await inBatches(volunteers, 8, (v) => volunteerToken(v.id));
    activity = await createActivity(leader, {
      teamId: team.id,
      title: '东门步行街文明劝导',
      category: 'civilisation-promotion',
      startsAt: new Date(Date.now() - 30 * MIN),
      endsAt: new Date(Date.now() + 180 * MIN),
      capacity: CAPACITY,
    });
    await publish(leader, activity.id);
  }, 120_000);

  it(`${SIGN_UPS} concurrent sign-ups for ${CAPACITY} places leave exactly ${CAPACITY} enrolled and ${SIGN_UPS - CAPACITY} waitlisted`, async () => {
    const busy: number[] = [];
    const responses = await Promise.all(
      volunteers.slice(0, SIGN_UPS).map(async (v, i) => {
        let res: ApiResponse<Enrollment> = await signUp(activity.id, v.id, tokens[i]);
        // The documented answer to contention that outlasts the server's retries: 503 + Retry-After.
        for (let attempt = 0; attempt < 5 && res.status === 503 && res.headers.get('retry-after'); attempt++) {
          busy.push(i);
          await sleep(Number(res.headers.get('retry-after')) * 1000 + Math.random() * 500);
          res = await signUp(activity.id, v.id, tokens[i]);
        }
        return res;
      }),
    );
    const statuses = responses.map((r) => r.status);
    const unexpected = responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 200)}`);
    expect(unexpected, 'every sign-up answers 201').toEqual([]);
    expect(statuses.every((s) => s < 500)).toBe(true);

    responses.forEach((r, i) => results.set(volunteers[i].id, r.body));
    const enrolled = [...results.values()].filter((e) => e.status === 'enrolled');
    const waitlisted = [...results.values()].filter((e) => e.status === 'waitlisted');
    expect(enrolled).toHaveLength(CAPACITY);
    expect(waitlisted).toHaveLength(SIGN_UPS - CAPACITY);
    // Waitlisted volunteers carry distinct arrival positions.
    expect(new Set(waitlisted.map((e) => e.waitlistPosition)).size).toBe(SIGN_UPS - CAPACITY);

    expect(await getActivity()).toMatchObject({ enrolledCount: CAPACITY, waitlistCount: SIGN_UPS - CAPACITY, capacity: CAPACITY });
    if (busy.length) console.warn(`${busy.length} sign-up(s) answered 503 Retry-After and were retried`);
  }, 60_000);

  it('lets exactly the enrolled volunteers check in', async () => {
    const checkIns = await inBatches(volunteers.slice(0, SIGN_UPS), 10, (v, i) =>
      api(`/v1/activities/${activity.id}/check-ins`, { token: tokens[i], body: { volunteerId: v.id } }),
    );
    const expected = volunteers.slice(0, SIGN_UPS).map((v) => (results.get(v.id)?.status === 'enrolled' ? 201 : 409));
    expect(checkIns.map((r) => r.status)).toEqual(expected);
  });

  it('answers a second sign-up by the same volunteer with 409, enrolled or waitlisted', async () => {
    const enrolledIdx = volunteers.findIndex((v) => results.get(v.id)?.status === 'enrolled');
    const waitIdx = volunteers.findIndex((v) => results.get(v.id)?.status === 'waitlisted');
    for (const i of [enrolledIdx, waitIdx]) {
      const res = await signUp(activity.id, volunteers[i].id, tokens[i]);
      expect(res.status).toBe(409);
      expect(res.contentType).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 409 });
    }
    expect(await getActivity()).toMatchObject({ enrolledCount: CAPACITY, waitlistCount: SIGN_UPS - CAPACITY });
  });

  it('promotes the first waitlisted volunteer when an enrolled one withdraws', async () => {
    // Withdraw an enrolled volunteer who has checked in (a volunteer may still withdraw).
    const leavingIdx = volunteers.findIndex((v) => results.get(v.id)?.status === 'enrolled');
    const leaving = volunteers[leavingIdx];
    const byPosition = volunteers
      .map((v, i) => ({ v, i, e: results.get(v.id) }))
      .filter((x) => x.e?.status === 'waitlisted')
      .sort((a, b) => (a.e!.waitlistPosition! < b.e!.waitlistPosition! ? -1 : 1));
    const [first, second] = byPosition;

    const del = await api(`/v1/activities/${activity.id}/enrollments/${leaving.id}`, { method: 'DELETE', token: tokens[leavingIdx] });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');

    // The first waitlisted is now enrolled: signing up again is 409, checking in works.
    const again = await signUp(activity.id, first.v.id, tokens[first.i]);
    expect(again.status).toBe(409);
    const firstCheckIn = await api(`/v1/activities/${activity.id}/check-ins`, { token: tokens[first.i], body: { volunteerId: first.v.id } });
    expect(firstCheckIn.status, 'the promoted volunteer checks in').toBe(201);
    // The second is still waiting.
    const secondCheckIn = await api(`/v1/activities/${activity.id}/check-ins`, { token: tokens[second.i], body: { volunteerId: second.v.id } });
    expect(secondCheckIn.status, 'the next on the waitlist is still waiting').toBe(409);

    expect(await getActivity()).toMatchObject({ enrolledCount: CAPACITY, waitlistCount: SIGN_UPS - CAPACITY - 1 });

    // Withdrawing twice is a 404; signing up again puts the volunteer at the back of the waitlist.
    expect((await api(`/v1/activities/${activity.id}/enrollments/${leaving.id}`, { method: 'DELETE', token: tokens[leavingIdx] })).status).toBe(404);
    const back = await signUp(activity.id, leaving.id, tokens[leavingIdx]);
    expect(expectStatus(back, 201)).toMatchObject({ status: 'waitlisted' });
    expect(back.body.waitlistPosition! > byPosition[byPosition.length - 1].e!.waitlistPosition!).toBe(true);
    expect(await getActivity()).toMatchObject({ enrolledCount: CAPACITY, waitlistCount: SIGN_UPS - CAPACITY });
  });

  it('withdrawing a waitlisted volunteer frees no place and promotes no one', async () => {
    const waitIdx = volunteers.findIndex((v, i) => i < SIGN_UPS && results.get(v.id)?.status === 'waitlisted' && i !== 0);
    const before = await getActivity();
    const del = await api(`/v1/activities/${activity.id}/enrollments/${volunteers[waitIdx].id}`, { method: 'DELETE', token: tokens[waitIdx] });
    expect(del.status).toBe(204);
    expect(await getActivity()).toMatchObject({ enrolledCount: CAPACITY, waitlistCount: (before.waitlistCount ?? 0) - 1 });
  });

  it('keeps counts equal to the enrollment items when withdrawals and new sign-ups race, and never exceeds capacity', async () => {
    // A fresh activity: 5 places, 5 enrolled, 10 waitlisted; then the 5 enrolled withdraw while 10
    // newcomers sign up. Whoever gets the places, 5 are enrolled and 15 wait.
    const a = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() - 10 * MIN), endsAt: new Date(Date.now() + 120 * MIN), capacity: 5 });
    await publish(leader, a.id);
    const pool = volunteers.slice(0, 25).map((v, i) => ({ v, token: tokens[i] }));
    const first15: Enrollment[] = [];
    for (const { v, token } of pool.slice(0, 15)) first15.push(expectStatus(await signUp(a.id, v.id, token), 201));
    expect(first15.filter((e) => e.status === 'enrolled')).toHaveLength(5);
    const leaving = pool.slice(0, 15).filter((_, i) => first15[i].status === 'enrolled');
    const newcomers = pool.slice(15, 25);
    const [withdrawals, arrivals] = await Promise.all([
      Promise.all(leaving.map(({ v, token }) => api(`/v1/activities/${a.id}/enrollments/${v.id}`, { method: 'DELETE', token }))),
      Promise.all(newcomers.map(({ v, token }) => signUp(a.id, v.id, token))),
    ]);
    expect(withdrawals.map((r) => r.status)).toEqual(leaving.map(() => 204));
    expect(arrivals.map((r) => r.status)).toEqual(newcomers.map(() => 201));

    const after = await getActivity(a.id);
    expect(after.enrolledCount).toBe(5);
    expect(after.waitlistCount).toBe(15);
    // The counters agree with the enrollment items.
    const ddb = dynamo();
    try {
      const items = (
        await ddb.send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
            ExpressionAttributeValues: { ':pk': `ACT#${a.id}`, ':p': 'ENROLL#' },
            ConsistentRead: true,
          }),
        )
      ).Items!;
      expect(items.filter((i) => i.status === 'enrolled')).toHaveLength(5);
      expect(items.filter((i) => i.status === 'waitlisted')).toHaveLength(15);
    } finally {
      ddb.destroy();
    }
  });

  it('gives a place freed by a withdrawal to the first waitlisted, not to a newcomer signing up at that moment', async () => {
    // API.md: "DELETE …/enrollments/{volunteerId} → 204; the first waitlisted volunteer is promoted."
    const a = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() - 10 * MIN), endsAt: new Date(Date.now() + 120 * MIN), capacity: 3 });
    await publish(leader, a.id);
    const pool = volunteers.slice(30, 60).map((v, i) => ({ v, token: tokens[30 + i] }));
    const early: Enrollment[] = [];
    for (const { v, token } of pool.slice(0, 8)) early.push(expectStatus(await signUp(a.id, v.id, token), 201));
    const leaving = pool.slice(0, 8).filter((_, i) => early[i].status === 'enrolled');
    const waiting = pool.slice(0, 8).filter((_, i) => early[i].status === 'waitlisted');
    expect(leaving).toHaveLength(3);
    expect(waiting).toHaveLength(5);
    const newcomers = pool.slice(8, 30);

    const [, arrivals] = await Promise.all([
      Promise.all(leaving.map(({ v, token }) => api(`/v1/activities/${a.id}/enrollments/${v.id}`, { method: 'DELETE', token }))),
      Promise.all(newcomers.map(({ v, token }) => signUp(a.id, v.id, token))),
    ]);
    const jumped = arrivals.filter((r) => r.status === 201 && r.body.status === 'enrolled').map((r) => r.body.volunteerId);
    expect(jumped, 'newcomers enrolled ahead of the waitlist').toEqual([]);
  });

  it('fills a place left free by a cut-short promotion with the first waitlisted when the next volunteer signs up', async () => {
    const a = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() - 10 * MIN), endsAt: new Date(Date.now() + 120 * MIN), capacity: 1 });
    await publish(leader, a.id);
    const [first, second, third] = [60, 61, 62].map((i) => ({ v: volunteers[i], token: tokens[i] }));
    expect(expectStatus(await signUp(a.id, first.v.id, first.token), 201)).toMatchObject({ status: 'enrolled' });
    expect(expectStatus(await signUp(a.id, second.v.id, second.token), 201)).toMatchObject({ status: 'waitlisted' });
    // A withdrawal that stopped before its promotion: the place is free, someone still waits.
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName(), Key: keys.enrollment(a.id, first.v.id) } },
          { Update: { TableName: tableName(), Key: keys.activity(a.id), UpdateExpression: 'SET enrolledCount = enrolledCount - :one', ExpressionAttributeValues: { ':one': 1 } } },
        ],
      }),
    );
    // The newcomer queues behind the waiting volunteer, who takes the free place.
    expect(expectStatus(await signUp(a.id, third.v.id, third.token), 201)).toMatchObject({ status: 'waitlisted' });
    expect(await getActivity(a.id)).toMatchObject({ enrolledCount: 1, waitlistCount: 1 });
    const statusOf = async (volunteerId: string) =>
      (await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.enrollment(a.id, volunteerId), ConsistentRead: true }))).Item?.status;
    expect(await statusOf(second.v.id)).toBe('enrolled');
    expect(await statusOf(third.v.id)).toBe('waitlisted');
  });

  it('refuses sign-up for a draft activity with 409', async () => {
    const draft = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() + 60 * MIN), endsAt: new Date(Date.now() + 120 * MIN), capacity: 5 });
    const i = SIGN_UPS;
    const res = await signUp(draft.id, volunteers[i].id, tokens[i]);
    expect(res.status).toBe(409);
    expect(res.contentType).toBe('application/problem+json');
    expect(await getActivity(draft.id)).toMatchObject({ status: 'draft', enrolledCount: 0 });
  });

  it('refuses sign-up for a cancelled activity with 409, even one that had places left', async () => {
    const a = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() + 60 * MIN), endsAt: new Date(Date.now() + 120 * MIN), capacity: 5 });
    await publish(leader, a.id);
    expect(expectStatus(await signUp(a.id, volunteers[0].id, tokens[0]), 201)).toMatchObject({ status: 'enrolled' });
    expect(expectStatus(await api(`/v1/activities/${a.id}/cancel`, { method: 'POST', token: leader }), 200)).toMatchObject({ status: 'cancelled' });
    const i = SIGN_UPS + 1;
    const res = await signUp(a.id, volunteers[i].id, tokens[i]);
    expect(res.status).toBe(409);
    expect(res.contentType).toBe('application/problem+json');
    expect(await getActivity(a.id)).toMatchObject({ status: 'cancelled', enrolledCount: 1 });
    // A cancelled activity cannot be published again.
    expect((await api(`/v1/activities/${a.id}/publish`, { method: 'POST', token: leader })).status).toBe(409);
  });

  it('refuses sign-up for an activity that has ended with 409', async () => {
    const past = await createActivity(leader, { teamId: team.id, startsAt: new Date(Date.now() - 180 * MIN), endsAt: new Date(Date.now() - 120 * MIN), capacity: 5 });
    await publish(leader, past.id);
    const i = SIGN_UPS + 1;
    expect((await signUp(past.id, volunteers[i].id, tokens[i])).status).toBe(409);
  });
});
