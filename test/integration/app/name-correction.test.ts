/**
 * An accepted name correction end to end through the local runtime: the new name replaces the old
 * one wherever it was copied — the rankings (lifetime and year, shown in full because the volunteer
 * consents to public names) and the hour records' denormalised `volunteerName` — including for a
 * record written before the correction and tallied after it. Deciding again answers 200 and
 * changes nothing; an interrupted propagation is finished by deciding again.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../shared/data/keys.js';
import {
  addMember,
  api,
  cityAdmin,
  createActivity,
  createTeam,
  createVolunteer,
  decided,
  dynamo,
  eventually,
  expectStatus,
  minutesAgo,
  publish,
  tableName,
  volunteerToken,
  type Volunteer,
} from './client.js';

const ORG = 'pingshan.maluan';
const NEW_NAME = '马兰新名';
const db = dynamo();

const shanghaiYear = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).getUTCFullYear();

describe('an accepted name correction', () => {
  let admin: string;
  let volunteer: Volunteer;
  let activityId: string;
  const recordIds: string[] = [];
  let year: number;

  const backFill = async (startMinAgo: number, endMinAgo: number) => {
    const startedAt = minutesAgo(startMinAgo).toISOString();
    const record = expectStatus(
      await api('/v1/hour-records', { token: admin, body: { volunteerId: volunteer.id, activityId, startedAt, endedAt: minutesAgo(endMinAgo).toISOString() } }),
      202,
      'back-fill',
    );
    recordIds.push(record.id);
    year = shanghaiYear(startedAt);
    return record.id as string;
  };

  /** The volunteer's row on the lifetime or year ranking of the node. */
  const ranked = async (period: 'ALL' | number = 'ALL') => {
    const res = expectStatus(await api(`/v1/rankings/volunteers?orgUnitId=${ORG}&limit=100${period === 'ALL' ? '' : `&year=${period}`}`, { token: admin }), 200, 'ranking');
    const row = res.items.find((r: { volunteerId: string }) => r.volunteerId === volunteer.id);
    if (!row) throw new Error('not ranked yet');
    return row as { name: string; minutes: number };
  };

  const storedNames = async () => {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.volunteerHoursPk(volunteer.id) },
      }),
    );
    return Object.fromEntries((out.Items ?? []).map((i) => [i.id as string, i.volunteerName]));
  };

  const decide = async (id: string) => api(`/v1/correction-requests/${id}/decide`, { token: admin, body: { decision: 'accept', note: '已核对身份证' } });

  beforeAll(async () => {
    admin = await cityAdmin();
    volunteer = await createVolunteer(admin, ORG);
    const team = await createTeam(admin, ORG);
    await addMember(admin, team.id, volunteer.id);
    const activity = await createActivity(admin, { teamId: team.id, startsAt: minutesAgo(300), endsAt: minutesAgo(60), capacity: 5 });
    activityId = activity.id;
    await publish(admin, activity.id);
    expect((await decided(admin, await backFill(280, 220))).status).toBe('verified');
    // The ranking shows the name in full only with the volunteer's public-name consent.
    expectStatus(
      await api('/v1/consents', {
        token: await volunteerToken(volunteer.id),
        body: { subjectType: 'volunteer', subjectId: volunteer.id, purpose: 'public-name', policyVersion: '2025-01', granted: true },
      }),
      201,
      'consent',
    );
    await eventually(async () => expect(await ranked()).toMatchObject({ name: volunteer.name, minutes: 60 }));
  });

  afterAll(() => db.destroy());

  it('replaces the name on the rankings and the hour records, also for a record tallied after the correction; deciding again changes nothing', async () => {
    const request = expectStatus(
      await api('/v1/me/correction-requests', { token: await volunteerToken(volunteer.id), body: { field: 'name', proposedValue: NEW_NAME, reason: '改名后更新' } }),
      201,
      'correction request',
    );
    // Written with the old name just before the decision; verified and tallied whenever the queues get to it.
    const late = await backFill(200, 150);

    const accepted = expectStatus(await decide(request.id), 200, 'accept');
    expect(accepted).toMatchObject({ status: 'accepted', field: 'name', proposedValue: NEW_NAME, propagatedAt: expect.any(String) });
    expect((await api(`/v1/volunteers/${volunteer.id}`, { token: admin })).body.name).toBe(NEW_NAME);

    // Once the late record is in the totals, the ranking still (and only) shows the new name.
    expect((await decided(admin, late)).status).toBe('verified');
    await eventually(async () => expect(await ranked()).toMatchObject({ name: NEW_NAME, minutes: 110 }));
    expect(await ranked(year)).toMatchObject({ name: NEW_NAME, minutes: 110 });
    const names = await storedNames();
    expect(Object.keys(names).sort()).toEqual([...recordIds].sort());
    for (const id of recordIds) expect(names[id], id).toBe(NEW_NAME);

    // Deciding again answers the request as it is.
    const again = expectStatus(await decide(request.id), 200, 'again');
    expect(again).toEqual(accepted);
    expect(expectStatus(await api(`/v1/org-units/${ORG}/correction-requests?status=accepted&limit=100`, { token: admin }), 200, 'list').items.map((r: { id: string }) => r.id)).toContain(
      request.id,
    );
    expect(await ranked()).toMatchObject({ name: NEW_NAME, minutes: 110 });
    // Rejecting it now is still a conflict.
    expect((await api(`/v1/correction-requests/${request.id}/decide`, { token: admin, body: { decision: 'reject' } })).status).toBe(409);

    // The audit entry keeps the names masked.
    const audit = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    const entry = audit.items.find((e: any) => e.action === 'correction.accept' && e.target.id === volunteer.id);
    expect(entry).toMatchObject({ after: { name: '马**名' } });
  });

  it('a propagation interrupted before the tallies is finished by deciding again', async () => {
    const renamed = '马兰再改';
    const request = expectStatus(
      await api('/v1/me/correction-requests', { token: await volunteerToken(volunteer.id), body: { field: 'name', proposedValue: renamed, reason: '再次更正' } }),
      201,
      'correction request',
    );
    expect(expectStatus(await decide(request.id), 200, 'accept').propagatedAt).toEqual(expect.any(String));
    // As if it had stopped after the hour records: tallies still old, the request not marked.
    for (const period of ['ALL', `${year}`] as const) {
      await db.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.volunteerTally(volunteer.id, period),
          UpdateExpression: 'SET #name = :old',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':old': NEW_NAME },
        }),
      );
    }
    await db.send(new UpdateCommand({ TableName: tableName(), Key: keys.rightsRequest(request.id), UpdateExpression: 'REMOVE propagatedAt' }));
    expect(await ranked()).toMatchObject({ name: NEW_NAME });

    const resumed = expectStatus(await decide(request.id), 200, 'resume');
    expect(resumed).toMatchObject({ status: 'accepted', propagatedAt: expect.any(String) });
    expect(await ranked()).toMatchObject({ name: renamed, minutes: 110 });
    expect(await ranked(year)).toMatchObject({ name: renamed, minutes: 110 });
    for (const name of Object.values(await storedNames())) expect(name).toBe(renamed);
    const stored = await db.send(new GetCommand({ TableName: tableName(), Key: keys.rightsRequest(request.id), ConsistentRead: true }));
    expect(stored.Item?.propagatedAt).toBe(resumed.propagatedAt);
  });
});
