/**
 * Identity end to end against the local runtime: WeChat mini-program login through the loopback
 * code2session stand-in, SMS login with the code read from the outbox, refresh rotation and
 * reuse detection, rate limits, and account and grant administration with its audit items.
 */
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hmacHex } from '../../../shared/crypto/keyed-hash.js';
import { keys } from '../../../shared/data/keys.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, cityAdmin, createTeam, createVolunteer, dynamo, expectStatus, rt, tableName, uniquePhone, type Volunteer } from './client.js';

interface TokenResponse {
  tokenType: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  grantId: string | null;
  account: { id: string; phone: string | null; wechatBound: boolean; volunteerId: string | null; grants: { id: string; role: string; scope: string; orgUnitId: string }[] };
}

/** A loopback address of its own, so this file's requests have their own per-address window. */
const ownAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;

/** POST from a chosen source address (the gateway takes sourceIp from the socket, as API Gateway does). */
const postFrom = (address: string, path: string, body: unknown) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((resolve, reject) => {
    const url = new URL(`${rt.apiUrl}${path}`);
    const payload = JSON.stringify(body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'accept-language': 'en' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

const address = ownAddress();

const requestCode = async (phone: string) => {
  const res = await postFrom(address, '/v1/auth/sms-codes', { phone });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res;
};

/** The newest login code queued for the phone, from the outbox (local-only control route). */
const codeFromOutbox = async (phone: string): Promise<string> => {
  const outbox = expectStatus(await api<{ items: any[] }>('/_local/outbox'), 200, 'outbox');
  const message = outbox.items.find((n) => n.recipientPhone === phone && n.template === 'login-code');
  expect(message, `a login code for ${phone} in the outbox`).toBeDefined();
  expect(message.channel).toBe('sms');
  return String(message.params.code);
};

const smsLogin = async (phone: string): Promise<TokenResponse> => {
  await requestCode(phone);
  const code = await codeFromOutbox(phone);
  return expectStatus(await api<TokenResponse>('/v1/auth/sms', { body: { phone, code } }), 200, 'sms login');
};

const refresh = (refreshToken: string) => api<TokenResponse>('/v1/auth/refresh', { body: { refreshToken } });

describe('WeChat mini-program login', () => {
  it('a code WeChat accepts logs in; the same WeChat user always reaches the same account', async () => {
    const first = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-alice' } }), 200, 'wechat login');
    expect(first.tokenType).toBe('Bearer');
    expect(first.expiresIn).toBe(900);
    expect(first.account.wechatBound).toBe(true);
    expect(first.account.grants).toEqual([]);
    const again = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-alice' } }), 200, 'second login');
    expect(again.account.id).toBe(first.account.id);
    expect(again.refreshToken).not.toBe(first.refreshToken);

    // The account reads itself with its access token.
    const me = expectStatus(await api(`/v1/accounts/${first.account.id}`, { token: first.accessToken }), 200, 'read own account');
    expect(me.id).toBe(first.account.id);
    // …but not another account.
    const bob = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-bob' } }), 200, 'bob');
    expect(bob.account.id).not.toBe(first.account.id);
    expect((await api(`/v1/accounts/${bob.account.id}`, { token: first.accessToken })).status).toBe(403);
  });

  it('simultaneous first logins of one WeChat user make one account', async () => {
    const code = `ok-auth-test-race-${Date.now()}`;
    const logins = await Promise.all(Array.from({ length: 6 }, () => api<TokenResponse>('/v1/auth/wechat', { body: { code } })));
    const ids = new Set(logins.map((res) => expectStatus(res, 200, 'concurrent login').account.id));
    expect(ids.size).toBe(1);
  });

  it('a code WeChat rejects (40029) is a 401 problem', async () => {
    const res = await api('/v1/auth/wechat', { body: { code: 'not-a-good-code' } });
    expect(res.status).toBe(401);
    expect(res.contentType).toBe('application/problem+json');
  });

  it('WeChat down or too slow is a 503 problem with Retry-After, not a 500', async () => {
    for (const code of ['down-auth-test', 'slow-auth-test']) {
      const res = await api('/v1/auth/wechat', { body: { code } });
      expect(res.status, code).toBe(503);
      expect(res.contentType).toBe('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});

describe('SMS login', () => {
  let admin: string;
  let volunteer: Volunteer;
  let phone: string;

  beforeAll(async () => {
    admin = await cityAdmin();
    phone = uniquePhone();
    volunteer = await createVolunteer(admin, 'futian.yuanling', { phone });
  });

  it('a registered volunteer logs in with the code from the SMS and acts as that volunteer', async () => {
    await requestCode(phone);
    // A second code within the minute is refused, with Retry-After.
    const again = await postFrom(address, '/v1/auth/sms-codes', { phone });
    expect(again.status).toBe(429);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(60);

    const code = await codeFromOutbox(phone);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await api('/v1/auth/sms', { body: { phone, code: wrong } })).status).toBe(401);

    const login = expectStatus(await api<TokenResponse>('/v1/auth/sms', { body: { phone, code } }), 200, 'sms login');
    expect(login.account.volunteerId).toBe(volunteer.id);
    expect(login.account.phone).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    expect(login.account.grants).toEqual([expect.objectContaining({ role: 'volunteer', scope: volunteer.id, orgUnitId: 'futian.yuanling' })]);
    // The token works as the volunteer's own.
    expectStatus(await api(`/v1/volunteers/${volunteer.id}`, { token: login.accessToken }), 200, 'own volunteer record');

    // The code works once.
    expect((await api('/v1/auth/sms', { body: { phone, code } })).status).toBe(401);
  });

  it('an unknown phone gets the same answer, and a new account', async () => {
    const stranger = uniquePhone();
    const res = await requestCode(stranger);
    expect(res.body).toEqual({ expiresIn: 300, resendAfter: 60 });
    const login = expectStatus(await api<TokenResponse>('/v1/auth/sms', { body: { phone: stranger, code: await codeFromOutbox(stranger) } }), 200, 'login');
    expect(login.account.volunteerId).toBeNull();
    expect(login.account.grants).toEqual([]);
  });

  it('a volunteer whose personal data is being erased cannot log in for the first time: 409, and no account is made', async () => {
    const p = uniquePhone();
    const v = await createVolunteer(admin, 'futian.yuanling', { phone: p });
    // As an erasure does first (shared/data/rights.ts, step 0): its step 1 may already have run.
    await dynamo().send(new UpdateCommand({ TableName: tableName(), Key: keys.volunteer(v.id), UpdateExpression: 'SET erasing = :r', ExpressionAttributeValues: { ':r': 'test' } }));
    await requestCode(p);
    const res = await api('/v1/auth/sms', { body: { phone: p, code: await codeFromOutbox(p) } });
    expect(res.status).toBe(409);
    const login = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.phoneLogin(hmacHex(rt.env.PII_HASH_KEY!, 'phone', p)), ConsistentRead: true }));
    expect(login.Item).toBeUndefined();
  });

  it('five wrong codes kill the code: the right one no longer works', async () => {
    const p = uniquePhone();
    await requestCode(p);
    const code = await codeFromOutbox(p);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) expect((await api('/v1/auth/sms', { body: { phone: p, code: wrong } })).status).toBe(401);
    expect((await api('/v1/auth/sms', { body: { phone: p, code } })).status).toBe(401);
  });

  it('one source address may ask for 20 codes an hour; the 21st is 429', async () => {
    const from = ownAddress();
    for (let i = 0; i < 20; i++) expect((await postFrom(from, '/v1/auth/sms-codes', { phone: uniquePhone() })).status, `request ${i + 1}`).toBe(202);
    const over = await postFrom(from, '/v1/auth/sms-codes', { phone: uniquePhone() });
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a WeChat user proving a phone with its code is bound to that phone’s account', async () => {
    const p = uniquePhone();
    await requestCode(p);
    const wechatCode = `ok-auth-test-bind-${Date.now()}`;
    const bound = expectStatus(
      await api<TokenResponse>('/v1/auth/wechat', { body: { code: wechatCode, phone: p, smsCode: await codeFromOutbox(p) } }),
      200,
      'bind',
    );
    expect(bound.account).toMatchObject({ wechatBound: true, phone: `${p.slice(0, 3)}****${p.slice(-4)}` });
    // From now on the WeChat login alone reaches the same account.
    const again = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: wechatCode } }), 200, 'wechat again');
    expect(again.account.id).toBe(bound.account.id);
  });

  it('bad input is a 400 problem', async () => {
    const res = await api('/v1/auth/sms', { body: { phone: 'x', code: 'y' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['code', 'phone']);
  });
});

describe('refresh tokens', () => {
  it('rotate; a rotated token used again revokes the whole family', async () => {
    const login = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-refresh' } }), 200, 'login');
    const second = expectStatus(await refresh(login.refreshToken), 200, 'first refresh');
    expect(second.refreshToken).not.toBe(login.refreshToken);
    expect(second.account.id).toBe(login.account.id);
    const third = expectStatus(await refresh(second.refreshToken), 200, 'second refresh');

    // The first token again: reuse. Refused, and the family is revoked…
    expect((await refresh(login.refreshToken)).status).toBe(401);
    // …so the newest token, never used, is dead too.
    expect((await refresh(third.refreshToken)).status).toBe(401);

    // Another login is a new family and works.
    const fresh = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-refresh' } }), 200, 'login again');
    expectStatus(await refresh(fresh.refreshToken), 200, 'refresh in a new family');
  });

  it('logout revokes the session', async () => {
    const login = expectStatus(await api<TokenResponse>('/v1/auth/wechat', { body: { code: 'ok-auth-test-logout' } }), 200, 'login');
    const next = expectStatus(await refresh(login.refreshToken), 200, 'refresh');
    expect((await api('/v1/auth/logout', { body: { refreshToken: next.refreshToken } })).status).toBe(204);
    expect((await refresh(next.refreshToken)).status).toBe(401);
    // Logging out twice, or with nonsense, is still 204.
    expect((await api('/v1/auth/logout', { body: { refreshToken: next.refreshToken } })).status).toBe(204);
    expect((await api('/v1/auth/logout', { body: { refreshToken: 'nonsense' } })).status).toBe(204);
  });
});

describe('accounts and grants', () => {
  const auditsUnder = async (districtId: string, accountId: string) => {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'by-district',
        KeyConditionExpression: 'districtPk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${districtId}` },
      }),
    );
    return (out.Items ?? []).filter((i) => i.target?.id === accountId);
  };

  it('a city admin makes a district admin, who grants and revokes below them; every change is audited; switch changes the acting grant', async () => {
    const city = await cityAdmin();
    const districtPhone = uniquePhone();
    const created = expectStatus(
      await api('/v1/accounts', { token: city, body: { phone: districtPhone, role: 'district_admin', scope: 'futian' } }),
      201,
      'create district admin',
    );
    expect(created.grants).toEqual([expect.objectContaining({ role: 'district_admin', scope: 'futian', orgUnitId: 'futian' })]);
    expect((await api('/v1/accounts', { token: city, body: { phone: districtPhone, role: 'district_admin', scope: 'futian' } })).status).toBe(409);
    const [createdAudit] = await auditsUnder('futian', created.id);
    expect(createdAudit).toMatchObject({ action: 'account.create', orgUnitId: 'futian', before: null });

    // The district admin logs in by SMS and acts under the grant.
    const districtLogin = await smsLogin(districtPhone);
    expect(districtLogin.account.id).toBe(created.id);
    const district = districtLogin.accessToken;

    // A team in their district, and someone to make its leader.
    const team = await createTeam(city, 'futian.yuanling');
    const leaderLogin = await smsLogin(uniquePhone());
    const leaderId = leaderLogin.account.id;

    const grant = expectStatus(
      await api(`/v1/accounts/${leaderId}/roles`, { token: district, body: { role: 'team_leader', scope: team.id } }),
      201,
      'grant team leader',
    );
    expect(grant).toMatchObject({ role: 'team_leader', scope: team.id, orgUnitId: 'futian.yuanling', grantedBy: created.id });
    // The same grant twice is a conflict; a role above them is forbidden; another district is forbidden.
    expect((await api(`/v1/accounts/${leaderId}/roles`, { token: district, body: { role: 'team_leader', scope: team.id } })).status).toBe(409);
    expect((await api(`/v1/accounts/${leaderId}/roles`, { token: district, body: { role: 'district_admin', scope: 'futian' } })).status).toBe(403);
    expect((await api(`/v1/accounts/${leaderId}/roles`, { token: district, body: { role: 'station_liaison', scope: 'luohu.dongmen' } })).status).toBe(403);
    // A scope that does not fit the role is 400.
    expect((await api(`/v1/accounts/${leaderId}/roles`, { token: district, body: { role: 'station_liaison', scope: 'futian' } })).status).toBe(400);

    // The district admin reads the account; the leader's refreshed token now carries the grant.
    const read = expectStatus(await api(`/v1/accounts/${leaderId}`, { token: district }), 200, 'read leader');
    expect(read.grants.map((g: { id: string }) => g.id)).toEqual([grant.id]);
    const refreshed = expectStatus(await refresh(leaderLogin.refreshToken), 200, 'leader refresh');
    expect(refreshed.grantId).toBe(grant.id);
    expectStatus(await api(`/v1/teams/${team.id}`, { token: refreshed.accessToken }), 200, 'leader reads team');

    // A second grant from the city admin, and the district admin switches to it.
    const extra = expectStatus(await api(`/v1/accounts/${created.id}/roles`, { token: city, body: { role: 'beneficiary', scope: 'futian' } }), 201, 'extra grant');
    const switched = expectStatus(await api('/v1/auth/switch', { token: district, body: { grantId: extra.id } }), 200, 'switch');
    expect(switched.grantId).toBe(extra.id);
    expect((await api(`/v1/accounts/${leaderId}`, { token: switched.accessToken })).status).toBe(403);
    expect((await api('/v1/auth/switch', { token: district, body: { grantId: grant.id } })).status).toBe(404);

    // Revoke, audited.
    expect((await api(`/v1/accounts/${leaderId}/roles/${grant.id}`, { method: 'DELETE', token: district })).status).toBe(204);
    expect((await api(`/v1/accounts/${leaderId}/roles/${grant.id}`, { method: 'DELETE', token: district })).status).toBe(404);
    const audits = await auditsUnder('futian', leaderId);
    expect(audits.map((a) => a.action).sort()).toEqual(['grant.add', 'grant.revoke']);
    const revoke = audits.find((a) => a.action === 'grant.revoke')!;
    expect(revoke).toMatchObject({ actor: { accountId: created.id, role: 'district_admin', scope: 'futian' }, orgUnitId: 'futian.yuanling' });
    expect(revoke.before.grants).toHaveLength(1);
    expect(revoke.after.grants).toEqual([]);
    expect(Date.parse(revoke.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a team leader may not create accounts or grant roles', async () => {
    const city = await cityAdmin();
    const team = await createTeam(city, 'futian.yuanling');
    const target = await smsLogin(uniquePhone());
    const leaderToken = (await api<{ token: string }>('/v1/dev/tokens', { body: { role: 'team_leader', scope: team.id } })).body.token;
    expect((await api('/v1/accounts', { token: leaderToken, body: { phone: uniquePhone(), role: 'team_leader', scope: team.id } })).status).toBe(403);
    expect((await api(`/v1/accounts/${target.account.id}/roles`, { token: leaderToken, body: { role: 'team_leader', scope: team.id } })).status).toBe(403);
  });
});
