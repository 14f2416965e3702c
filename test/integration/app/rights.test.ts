/**
 * Data-subject rights end to end through the local runtime: a registered volunteer logs in by
 * SMS, reads /v1/me, exports everything held about them, has their phone corrected (the login
 * follows the phone), asks for deletion, and an admin's acceptance erases the personal data while
 * the de-identified hour record and tallies stay. Along the way every administrative change is
 * read back from the audit log, with personal values masked.
 */
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { hmacHex } from '../../../shared/crypto/keyed-hash.js';
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
  rt,
  tableName,
  tokenFor,
  uniquePhone,
  uniqueResidentId,
  type Volunteer,
} from './client.js';

const ORG = 'futian.yuanling';
const address = `127.${randomInt(1, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;

/** POST from this file's own loopback address (the SMS rate limit counts per source address). */
const postFrom = (path: string, body: unknown) =>
  new Promise<{ status: number; body: any }>((resolve, reject) => {
    const url = new URL(`${rt.apiUrl}${path}`);
    const payload = JSON.stringify(body);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: address, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

const smsLogin = async (phone: string) => {
  expect((await postFrom('/v1/auth/sms-codes', { phone })).status).toBe(202);
  const outbox = expectStatus(await api<{ items: any[] }>('/_local/outbox'), 200, 'outbox');
  const code = outbox.items.find((n) => n.recipientPhone === phone && n.template === 'login-code')?.params.code;
  expect(code, `a login code for ${phone}`).toBeDefined();
  return expectStatus(await api('/v1/auth/sms', { body: { phone, code: String(code) } }), 200, 'sms login');
};

const mask = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

describe('data-subject rights', () => {
  let admin: string;
  let volunteer: Volunteer;
  let phone: string;
  let idNumber: string;
  let login: any;
  let hourRecordId: string;

  beforeAll(async () => {
    admin = await cityAdmin();
    phone = uniquePhone();
    idNumber = uniqueResidentId();
    volunteer = await createVolunteer(admin, ORG, { phone, idNumber, skills: ['patrol'] });
    const team = await createTeam(admin, ORG);
    await addMember(admin, team.id, volunteer.id);
    const activity = await createActivity(admin, { teamId: team.id, startsAt: minutesAgo(300), endsAt: minutesAgo(120), capacity: 5 });
    await publish(admin, activity.id);
    const backFill = expectStatus(
      await api('/v1/hour-records', { token: admin, body: { volunteerId: volunteer.id, activityId: activity.id, startedAt: minutesAgo(280).toISOString(), endedAt: minutesAgo(220).toISOString() } }),
      202,
      'back-fill',
    );
    hourRecordId = backFill.id;
    expect((await decided(admin, hourRecordId)).status).toBe('verified');
    // Tallying follows verification asynchronously.
    await eventually(async () => {
      const read = expectStatus(await api(`/v1/volunteers/${volunteer.id}`, { token: admin }), 200, 'volunteer');
      expect(read.hours.verifiedMinutes).toBe(60);
    });
    login = await smsLogin(phone);
  });

  it('administrative changes are in the audit log of the node, with personal values masked', async () => {
    const res = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    const actions = res.items.map((e: any) => e.action);
    for (const action of ['volunteer.create', 'team.create', 'team.member.add', 'activity.create', 'activity.publish', 'hours.back-fill']) {
      expect(actions, action).toContain(action);
    }
    const created = res.items.find((e: any) => e.action === 'volunteer.create' && e.target.id === volunteer.id);
    expect(created.after.phone).toBe(mask(phone));
    expect(res.text ?? JSON.stringify(res)).not.toContain(phone);
    expect(JSON.stringify(res)).not.toContain(idNumber);
    // Newest first, and bounded by from/to.
    const ats = res.items.map((e: any) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    const future = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&from=2099-01-01T00:00:00Z`, { token: admin }), 200, 'future');
    expect(future.items).toEqual([]);
    // Admins of another district, volunteers and bad input are refused with a 4xx.
    expect((await api(`/v1/audit?orgUnitId=${ORG}`, { token: await tokenFor('district_admin', { scope: 'luohu' }) })).status).toBe(403);
    expect((await api(`/v1/audit?orgUnitId=${ORG}`, { token: login.accessToken })).status).toBe(403);
    expect((await api('/v1/audit?orgUnitId=NOT%20AN%20ID&from=yesterday', { token: admin })).status).toBe(400);
    expect((await api(`/v1/audit?orgUnitId=${ORG}&cursor=forged`, { token: admin })).status).toBe(400);
  });

  it('GET /v1/me shows the account with its phone masked and the volunteer profile with hours', async () => {
    const me = expectStatus(await api('/v1/me', { token: login.accessToken }), 200, 'me');
    expect(me.account).toMatchObject({ id: login.account.id, phone: mask(phone), volunteerId: volunteer.id });
    expect(me.account.grants.map((g: any) => g.role)).toContain('volunteer');
    expect(me.volunteer).toMatchObject({ id: volunteer.id, phone, hours: { verifiedMinutes: 60 } });
    expect(me.volunteer.idNumber).not.toBe(idNumber);
  });

  it('GET /v1/me/export is a download of everything held about the caller, audited without the numbers', async () => {
    const res = await api('/v1/me/export', { token: login.accessToken });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.json"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const doc = res.body;
    expect(doc.volunteer).toMatchObject({ id: volunteer.id, phone, idNumber, skills: ['patrol'] });
    expect(doc.account).toMatchObject({ id: login.account.id, phone });
    expect(doc.grants.length).toBeGreaterThan(0);
    expect(doc.sessions.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(doc.sessions)).not.toMatch(/hash|REFRESHTOKEN/i);
    expect(doc.teamMemberships.items).toHaveLength(1);
    expect(doc.hourRecords.items).toEqual([expect.objectContaining({ id: hourRecordId, minutes: 60, status: 'verified' })]);
    expect(doc.tallies.items.length).toBeGreaterThan(0);
    expect(doc.auditEntries.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['volunteer.create', 'team.member.add', 'hours.back-fill']));
    expect(res.text).not.toMatch(/"(pk|sk|gsi\dpk|gsi\dsk)"/);

    const audit = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    const exported = audit.items.find((e: any) => e.action === 'person.export' && e.target.id === volunteer.id);
    expect(exported).toBeDefined();
    expect(JSON.stringify(exported)).not.toContain(idNumber);
  });

  it('a phone correction, once accepted, moves the volunteer, its uniqueness and the login to the new phone', async () => {
    const newPhone = uniquePhone();
    // Hour records are not corrected here; bad values are 400.
    expect((await api('/v1/me/correction-requests', { token: login.accessToken, body: { field: 'minutes', proposedValue: 9999, reason: 'x' } })).status).toBe(400);
    expect((await api('/v1/me/correction-requests', { token: login.accessToken, body: { field: 'phone', proposedValue: '123', reason: 'x' } })).status).toBe(400);
    expect((await api('/v1/me/correction-requests', { token: admin, body: { field: 'name', proposedValue: '张三', reason: 'x' } })).status).toBe(403);

    const request = expectStatus(
      await api('/v1/me/correction-requests', { token: login.accessToken, body: { field: 'phone', proposedValue: newPhone, reason: '更换了手机号' } }),
      201,
      'correction request',
    );
    expect(request).toMatchObject({ status: 'pending', field: 'phone', proposedValue: newPhone });
    const pending = expectStatus(await api(`/v1/org-units/${ORG}/correction-requests?status=pending&limit=100`, { token: admin }), 200, 'list');
    expect(pending.items.map((r: any) => r.id)).toContain(request.id);
    expect((await api(`/v1/org-units/luohu/correction-requests`, { token: await tokenFor('district_admin', { scope: 'luohu' }) })).status).toBe(200);
    expect((await api(`/v1/correction-requests/${request.id}/decide`, { token: await tokenFor('district_admin', { scope: 'luohu' }), body: { decision: 'accept' } })).status).toBe(403);

    const accepted = expectStatus(await api(`/v1/correction-requests/${request.id}/decide`, { token: admin, body: { decision: 'accept', note: '已电话核实' } }), 200, 'accept');
    expect(accepted.status).toBe('accepted');
    expect((await api(`/v1/correction-requests/${request.id}/decide`, { token: admin, body: { decision: 'reject' } })).status).toBe(409);
    const nowPending = expectStatus(await api(`/v1/org-units/${ORG}/correction-requests?status=pending&limit=100`, { token: admin }), 200, 'list');
    expect(nowPending.items.map((r: any) => r.id)).not.toContain(request.id);

    // The same account now logs in with the new phone; the old phone is free for someone else.
    const again = await smsLogin(newPhone);
    expect(again.account.id).toBe(login.account.id);
    expect(again.account.phone).toBe(mask(newPhone));
    const other = await createVolunteer(admin, ORG, { phone });
    expect(other.id).not.toBe(volunteer.id);
    phone = newPhone;
    login = again;

    const audit = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    const entry = audit.items.find((e: any) => e.action === 'correction.accept' && e.target.id === volunteer.id);
    expect(entry).toMatchObject({ before: { phone: expect.stringContaining('****') }, after: { phone: mask(newPhone) } });
    expect(JSON.stringify(entry)).not.toContain(newPhone);
  });

  it('an accepted deletion erases the personal data and keeps the de-identified records; deciding again changes nothing', async () => {
    const request = expectStatus(await api('/v1/me/deletion-request', { token: login.accessToken, body: { reason: '不再参加' } }), 201, 'deletion request');
    expect((await api('/v1/me/deletion-request', { token: login.accessToken, body: {} })).status).toBe(409);
    const listed = expectStatus(await api(`/v1/org-units/${ORG}/deletion-requests?status=pending&limit=100`, { token: admin }), 200, 'list');
    expect(listed.items.map((r: any) => r.id)).toContain(request.id);

    const done = expectStatus(await api(`/v1/deletion-requests/${request.id}/decide`, { token: admin, body: { decision: 'accept' } }), 200, 'accept deletion');
    expect(done).toMatchObject({ status: 'accepted', erasedAt: expect.any(String) });
    // Idempotent: accepting again answers the same and erases nothing more.
    expect(expectStatus(await api(`/v1/deletion-requests/${request.id}/decide`, { token: admin, body: { decision: 'accept' } }), 200, 'again').erasedAt).toBe(done.erasedAt);

    const shell = expectStatus(await api(`/v1/volunteers/${volunteer.id}`, { token: admin }), 200, 'erased volunteer');
    expect(shell).toMatchObject({ id: volunteer.id, name: '已注销志愿者', phone: null, idNumber: null, skills: [], veteran: {} });
    expect(shell.volunteerNumber).toBe(volunteer.volunteerNumber);
    expect(shell.hours.verifiedMinutes).toBe(60);
    // The hour record stays (service record), without the name.
    const record = expectStatus(await api(`/v1/hour-records/${hourRecordId}`, { token: admin }), 200, 'record');
    expect(record).toMatchObject({ volunteerId: volunteer.id, minutes: 60, status: 'verified' });
    expect(JSON.stringify(record)).not.toContain(volunteer.name);
    // Rankings show the pseudonym (masked like any name without consent), never the person.
    const ranking = expectStatus(await api(`/v1/rankings/volunteers?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'ranking');
    const entry = ranking.items.find((i: any) => i.volunteerId === volunteer.id);
    expect(entry?.minutes).toBe(60);
    expect(JSON.stringify(ranking)).not.toContain(volunteer.name);

    // Logins and sessions are gone: the refresh token is dead, the account and its phone login item deleted.
    expect((await api('/v1/auth/refresh', { body: { refreshToken: login.refreshToken } })).status).toBe(401);
    expect((await api(`/v1/accounts/${login.account.id}`, { token: admin })).status).toBe(404);
    const phoneLogin = await dynamo().send(
      new GetCommand({ TableName: tableName(), Key: { pk: `LOGIN#PHONE#${hmacHex(rt.env.PII_HASH_KEY!, 'phone', phone)}`, sk: 'LOGIN' } }),
    );
    expect(phoneLogin.Item).toBeUndefined();
    // Phone and identity number may be registered again.
    const reRegistered = await createVolunteer(admin, ORG, { phone, idNumber });
    expect(reRegistered.id).not.toBe(volunteer.id);
    // No further requests about an erased volunteer.
    const asVolunteer = await tokenFor('volunteer', { subject: volunteer.id });
    expect((await api('/v1/me/correction-requests', { token: asVolunteer, body: { field: 'name', proposedValue: '王五', reason: 'x' } })).status).toBe(409);

    const audit = expectStatus(await api(`/v1/audit?orgUnitId=${ORG}&limit=100`, { token: admin }), 200, 'audit');
    expect(audit.items.some((e: any) => e.action === 'deletion.accept' && e.target.id === volunteer.id)).toBe(true);
  });

  it('requests need a volunteer; deciding an unknown request is 404; bad ids are 400', async () => {
    expect((await api('/v1/me/deletion-request', { token: await tokenFor('beneficiary'), body: {} })).status).toBe(403);
    expect((await api('/v1/deletion-requests/01JD0000000000000000000000/decide', { token: admin, body: { decision: 'accept' } })).status).toBe(404);
    expect((await api('/v1/correction-requests/not-an-id/decide', { token: admin, body: { decision: 'accept' } })).status).toBe(400);
    expect((await api(`/v1/org-units/${ORG}/correction-requests?status=maybe`, { token: admin })).status).toBe(400);
    const me = expectStatus(await api('/v1/me', { token: await tokenFor('beneficiary') }), 200, 'resident me');
    expect(me).toMatchObject({ account: null, volunteer: null });
  });
});
