/**
 * Consent end to end through the local runtime: a volunteer's name on the rankings follows their
 * public-name consent (given before or after their hours are tallied, withdrawn at once); a
 * beneficiary's sensitive details need their separate consent, are sealed, shown only to the
 * roles that serve them and erased on withdrawal; children under 14 need a guardian; every change
 * leaves an audit entry.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, levelQuery } from '../../../shared/data/keys.js';
import { residentIdCheckChar } from '../../../shared/domain/identity.js';
import {
  addMember,
  api,
  createActivity,
  createTeam,
  createVolunteer,
  decided,
  dynamo,
  eventually,
  expectStatus,
  leaderToken,
  publish,
  tableName,
  tokenFor,
  uniquePhone,
  volunteerToken,
  type Activity,
  type Team,
} from './client.js';

const ORG = 'yantian.meisha';
const MIN = 60_000;
let admin: string;
let leader: string;
let team: Team;
let activity: Activity;
const db = dynamo();

const childId = (() => {
  // A child who is 8 today, with a random sequence number so reruns do not collide.
  const y = new Date().getUTCFullYear() - 8;
  const first17 = `440308${y}0615${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
})();

beforeAll(async () => {
  admin = await tokenFor('district_admin', { scope: 'yantian' });
  team = await createTeam(admin, ORG);
  leader = await leaderToken(team.id);
  activity = await createActivity(leader, {
    teamId: team.id,
    title: '沙头角海滨巡查',
    category: 'patrol',
    startsAt: new Date(Date.now() - 300 * MIN),
    endsAt: new Date(Date.now() + 60 * MIN),
    capacity: 50,
  });
  await publish(leader, activity.id);
});

afterAll(() => db.destroy());

const backFillVerified = async (volunteerId: string, startMinAgo: number, endMinAgo: number) => {
  const now = Date.now();
  const id = expectStatus(
    await api('/v1/hour-records', {
      token: leader,
      body: { volunteerId, activityId: activity.id, startedAt: new Date(now - startMinAgo * MIN).toISOString(), endedAt: new Date(now - endMinAgo * MIN).toISOString() },
    }),
    202,
  ).id as string;
  expect(await decided(leader, id)).toMatchObject({ status: 'verified' });
};

const rankedName = async (volunteerId: string) => {
  const ranking = expectStatus(await api(`/v1/rankings/volunteers?orgUnitId=${ORG}&limit=100`, { token: await tokenFor('beneficiary') }), 200);
  const row = ranking.items.find((r: { volunteerId: string }) => r.volunteerId === volunteerId);
  if (!row) throw new Error('not ranked yet');
  return row.name as string;
};

const auditActions = async (): Promise<string[]> => {
  const q = levelQuery('AUDIT', ORG);
  const out = await db.send(
    new QueryCommand({ TableName: tableName(), IndexName: q.index, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': q.pkName }, ExpressionAttributeValues: { ':pk': q.pk } }),
  );
  return (out.Items ?? []).map((i) => i.action as string);
};

describe('public-name consent and the rankings', () => {
  it('a name is masked until the volunteer consents, shown after, and masked again at once on withdrawal', async () => {
    const volunteer = await createVolunteer(admin, ORG);
    await addMember(admin, team.id, volunteer.id);
    await backFillVerified(volunteer.id, 200, 170);
    const masked = await eventually(() => rankedName(volunteer.id));
    expect(masked).not.toBe(volunteer.name);
    expect(masked).toContain('*');

    const me = await volunteerToken(volunteer.id);
    const consent = expectStatus(
      await api('/v1/consents', { token: me, body: { subjectType: 'volunteer', subjectId: volunteer.id, purpose: 'public-name', policyVersion: '2025-01', granted: true } }),
      201,
    );
    expect(consent).toMatchObject({ status: 'granted', recordedBy: { method: 'self' } });
    // Same transaction as the consent: no waiting.
    expect(await rankedName(volunteer.id)).toBe(volunteer.name);

    const withdrawn = expectStatus(await api(`/v1/consents/${consent.id}/withdraw`, { token: me, method: 'POST' }), 200);
    expect(withdrawn).toMatchObject({ status: 'withdrawn' });
    expect(await rankedName(volunteer.id)).toBe(masked);

    const again = await api(`/v1/consents/${consent.id}/withdraw`, { token: me, method: 'POST' });
    expect(again.status).toBe(409);

    const history = expectStatus(await api(`/v1/volunteers/${volunteer.id}/consents`, { token: admin }), 200);
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ id: consent.id, purpose: 'public-name', status: 'withdrawn' });
    expect(await auditActions()).toEqual(expect.arrayContaining(['consent.grant', 'consent.withdraw']));
  });

  it('a consent given before any hours: the tally writes the name as public', async () => {
    const volunteer = await createVolunteer(admin, ORG);
    await addMember(admin, team.id, volunteer.id);
    expectStatus(
      await api('/v1/consents', {
        token: admin,
        body: { subjectType: 'volunteer', subjectId: volunteer.id, purpose: 'public-name', policyVersion: '2025-01', granted: true, documentRef: 'MS-2025-07' },
      }),
      201,
    );
    await backFillVerified(volunteer.id, 160, 130);
    expect(await eventually(() => rankedName(volunteer.id))).toBe(volunteer.name);
  });

  it('another volunteer may not record or read someone else’s consent', async () => {
    const volunteer = await createVolunteer(admin, ORG);
    const other = await createVolunteer(admin, ORG);
    const res = await api('/v1/consents', {
      token: await volunteerToken(other.id),
      body: { subjectType: 'volunteer', subjectId: volunteer.id, purpose: 'public-name', policyVersion: '2025-01', granted: true },
    });
    expect(res.status).toBe(403);
    expect((await api(`/v1/volunteers/${volunteer.id}/consents`, { token: await volunteerToken(other.id) })).status).toBe(403);
  });
});

describe('beneficiaries and sensitive details', () => {
  const sensitive = { health: '高血压，需每周上门测量', hardship: '独居，低保' };

  it('sensitive details without the separate consent are refused with a 400 naming the field', async () => {
    const res = await api('/v1/beneficiaries', {
      token: admin,
      body: { name: '陈秀英', orgUnitId: ORG, careCategories: ['elderly-alone'], sensitive, consents: [{ purpose: 'registration', policyVersion: '2025-01', documentRef: 'MS-1' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['sensitive']);
  });

  it('with it: sealed at rest, shown to the liaison, refused to a team leader, erased on withdrawal', async () => {
    const liaison = await tokenFor('station_liaison', { scope: ORG });
    const phone = uniquePhone();
    const created = expectStatus(
      await api('/v1/beneficiaries', {
        token: liaison,
        body: {
          name: '陈秀英',
          phone,
          orgUnitId: ORG,
          careCategories: ['elderly-alone', 'martyr-family'],
          sensitive,
          consents: [
            { purpose: 'registration', policyVersion: '2025-01', documentRef: 'MS-2' },
            { purpose: 'sensitive-details', policyVersion: '2025-01', documentRef: 'MS-2' },
          ],
        },
      }),
      201,
    );
    expect(created).toMatchObject({ hasSensitiveDetails: true, phone });
    expect(created.sensitive).toBeUndefined();

    const { Item } = await db.send(new GetCommand({ TableName: tableName(), Key: keys.beneficiary(created.id) }));
    expect(JSON.stringify(Item)).not.toContain('高血压');
    expect(Item!.sensitiveCiphertext).toBeTruthy();

    const shown = expectStatus(await api(`/v1/beneficiaries/${created.id}`, { token: liaison }), 200);
    expect(shown.sensitive).toEqual(sensitive);
    expect((await api(`/v1/beneficiaries/${created.id}`, { token: leader })).status).toBe(403);
    expect((await api(`/v1/beneficiaries/${created.id}`, { token: await tokenFor('district_admin', { scope: 'luohu' }) })).status).toBe(403);

    const listed = expectStatus(await api(`/v1/org-units/yantian/beneficiaries?limit=100`, { token: admin }), 200);
    const row = listed.items.find((b: { id: string }) => b.id === created.id);
    expect(row).toMatchObject({ name: '陈秀英', hasSensitiveDetails: true });
    expect(row.sensitive).toBeUndefined();
    expect(row.phone).toMatch(/^\d{3}\*{4}\d{4}$/);

    const consents = expectStatus(await api(`/v1/beneficiaries/${created.id}/consents`, { token: liaison }), 200);
    const sensitiveConsent = consents.items.find((c: { purpose: string }) => c.purpose === 'sensitive-details');
    expect(sensitiveConsent).toMatchObject({ status: 'granted', recordedBy: { method: 'paper', documentRef: 'MS-2' } });
    expectStatus(await api(`/v1/consents/${sensitiveConsent.id}/withdraw`, { token: liaison, method: 'POST' }), 200);

    const after = expectStatus(await api(`/v1/beneficiaries/${created.id}`, { token: liaison }), 200);
    expect(after.hasSensitiveDetails).toBe(false);
    expect(after.sensitive).toBeUndefined();
    const { Item: erased } = await db.send(new GetCommand({ TableName: tableName(), Key: keys.beneficiary(created.id) }));
    expect(erased!.sensitiveCiphertext).toBeUndefined();

    const refused = await api(`/v1/beneficiaries/${created.id}/sensitive-details`, { token: liaison, method: 'PUT', body: { health: '好转' } });
    expect(refused.status).toBe(409);
    expect(await auditActions()).toEqual(expect.arrayContaining(['beneficiary.create', 'consent.grant', 'consent.withdraw']));
  });
});

describe('children under 14', () => {
  const child = () => ({ name: '黄小军', phone: uniquePhone(), idNumber: childId, orgUnitId: ORG });

  it('without a guardian: 400 naming guardian; with a guardian and the registration consent: registered, consent on record', async () => {
    const refused = await api('/v1/volunteers', { token: admin, body: child() });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain('guardian');

    const created = expectStatus(
      await api('/v1/volunteers', {
        token: admin,
        body: {
          ...child(),
          guardian: { name: '黄建华', phone: uniquePhone(), relationship: 'parent' },
          consents: [{ purpose: 'registration', policyVersion: '2025-01', documentRef: 'MS-G-1' }],
        },
      }),
      201,
    );
    const history = expectStatus(await api(`/v1/volunteers/${created.id}/consents`, { token: admin }), 200);
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ purpose: 'registration', status: 'granted', guardian: { name: '黄建华', relationship: 'parent' } });

    // A later consent for the child needs the guardian too.
    const noGuardian = await api('/v1/consents', {
      token: admin,
      body: { subjectType: 'volunteer', subjectId: created.id, purpose: 'public-name', policyVersion: '2025-01', granted: true, documentRef: 'MS-G-2' },
    });
    expect(noGuardian.status).toBe(400);
    expect(noGuardian.body.errors.map((e: { path: string }) => e.path)).toEqual(['guardian']);
  });
});
