/**
 * Login, sessions and account administration with mocked DynamoDB and a stubbed WeChat.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelled, conditionFailed, ddb, httpEvent, invokeHttp, newId, resetMocks, tokenFor } from './helpers.js';
import { verifyToken } from '../../shared/auth/tokens.js';
import { keyedHash } from '../../shared/crypto/keyed-hash.js';
import { keys } from '../../shared/data/keys.js';
import { handler as smsCodes } from '../../functions/http/auth/sms-codes.js';
import { handler as smsLogin } from '../../functions/http/auth/sms.js';
import { handler as refresh } from '../../functions/http/auth/refresh.js';
import { handler as logout } from '../../functions/http/auth/logout.js';
import { handler as wechat } from '../../functions/http/auth/wechat.js';
import { handler as switchGrant } from '../../functions/http/auth/switch.js';
import { handler as createAccount } from '../../functions/http/accounts/create.js';
import { handler as grantRole } from '../../functions/http/accounts/grant-role.js';
import { handler as revokeRole } from '../../functions/http/accounts/revoke-role.js';

const PHONE = '13812345678';
const post = (path: string, body: unknown, extra: { token?: string; routeKey?: string; pathParameters?: Record<string, string> } = {}) =>
  httpEvent({ method: 'POST', path, body, headers: { 'accept-language': 'en' }, ...extra });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const transactItems = () => ddb.commandCalls(TransactWriteCommand).flatMap((c) => c.args[0].input.TransactItems ?? []);
const putsOfType = (type: string) => transactItems().flatMap((i) => (i.Put?.Item?.type === type ? [i.Put.Item] : []));

beforeEach(() => {
  resetMocks();
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('POST /v1/auth/sms-codes', () => {
  it('counts the address and the phone, stores only a salted hash of the code and queues the SMS; 202', async () => {
    const res = await invokeHttp(smsCodes, post('/v1/auth/sms-codes', { phone: `+86 ${PHONE}` }));
    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ expiresIn: 300, resendAfter: 60 });

    const counters = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(counters.map((c) => String(c.Key!.pk).split('#')[1])).toEqual(['sms-ip-hour', 'sms-phone-minute', 'sms-phone-day']);
    for (const c of counters) {
      expect(c.ConditionExpression).toBe('attribute_not_exists(n) OR n < :limit');
      expect(c.UpdateExpression).toContain('ADD n :one');
      expect(String(c.Key!.pk)).not.toContain(PHONE);
    }

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item!);
    const codeItem = puts.find((i) => i.type === 'LoginCode')!;
    const notification = puts.find((i) => i.type === 'Notification')!;
    expect(codeItem.pk).toBe(keys.smsCode(await keyedHash('phone', PHONE)).pk);
    expect(codeItem.attempts).toBe(0);
    const code = String(notification.params.code);
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(codeItem)).not.toContain(code);
    expect(codeItem.codeHash).toBe(sha(`${codeItem.salt}:${code}`));
    expect(codeItem.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);
    expect(notification).toMatchObject({ channel: 'sms', template: 'login-code', recipientPhone: PHONE, status: 'pending' });
    expect(notification.recipientVolunteerId).toBeUndefined();
    expect(notification.expiresAt).toBe(codeItem.expiresAt);
  });

  it('answers the same without reading whether the phone has an account or a volunteer', async () => {
    await invokeHttp(smsCodes, post('/v1/auth/sms-codes', { phone: PHONE }));
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('a full window is 429 with Retry-After, and no code is made', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const res = await invokeHttp(smsCodes, post('/v1/auth/sms-codes', { phone: PHONE }));
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('a phone that is not a mainland mobile is 400 with the field', async () => {
    const res = await invokeHttp(smsCodes, post('/v1/auth/sms-codes', { phone: '12345' }));
    expect(res.statusCode).toBe(400);
    expect(res.body.errors[0].path).toBe('phone');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('POST /v1/auth/sms', () => {
  const storedCode = (code: string, attempts = 1) => ({ salt: 'salt', codeHash: sha(`salt:${code}`), attempts, expiresAt: Math.floor(Date.now() / 1000) + 200 });

  it('the right code logs in: the code is spent, an account is made and linked to the volunteer with that phone', async () => {
    const volunteerId = newId();
    const phoneHash = await keyedHash('phone', PHONE);
    ddb.on(UpdateCommand, { Key: keys.smsCode(phoneHash) }).resolves({ Attributes: storedCode('246810') });
    ddb.on(GetCommand, { Key: keys.uniquePhone(phoneHash) }).resolves({ Item: { volunteerId } });
    ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: { id: volunteerId, orgUnitId: 'futian.yuanling' } });

    const res = await invokeHttp(smsLogin, post('/v1/auth/sms', { phone: PHONE, code: '246810' }));
    expect(res.statusCode, res.raw).toBe(200);

    const spend = ddb.commandCalls(DeleteCommand)[0].args[0].input;
    expect(spend.ConditionExpression).toBe('codeHash = :hash');
    const attempt = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(attempt.ConditionExpression).toContain('attempts < :max');

    const [login] = putsOfType('Login');
    expect(login.pk).toBe(keys.phoneLogin(phoneHash).pk);
    expect(String(login.pk)).not.toContain(PHONE);
    const [grant] = putsOfType('Grant');
    expect(grant).toMatchObject({ role: 'volunteer', scope: volunteerId, orgUnitId: 'futian.yuanling', grantedBy: 'system' });

    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, account: { phone: '138****5678', volunteerId } });
    const principal = await verifyToken(res.body.accessToken);
    expect(principal).toMatchObject({ role: 'volunteer', volunteerId, accountId: res.body.account.id, grantId: grant.id });
    // Only the refresh token's hash is stored.
    const [tokenItem] = putsOfType('RefreshToken');
    expect(tokenItem.pk).toBe(keys.refreshToken(sha(res.body.refreshToken)).pk);
    expect(JSON.stringify(transactItems())).not.toContain(res.body.refreshToken);
  });

  it('a wrong code is 401 and the code stays (its attempt counted)', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: storedCode('246810') });
    const res = await invokeHttp(smsLogin, post('/v1/auth/sms', { phone: PHONE, code: '000000' }));
    expect(res.statusCode).toBe(401);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('after five attempts (or expiry) even the right code is refused', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const res = await invokeHttp(smsLogin, post('/v1/auth/sms', { phone: PHONE, code: '246810' }));
    expect(res.statusCode).toBe(401);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('the right code used twice at once: the second loses the conditional delete', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: storedCode('246810') });
    ddb.on(DeleteCommand).rejects(conditionFailed());
    const res = await invokeHttp(smsLogin, post('/v1/auth/sms', { phone: PHONE, code: '246810' }));
    expect(res.statusCode).toBe(401);
  });

  it('a code that is not six digits is 400', async () => {
    const res = await invokeHttp(smsLogin, post('/v1/auth/sms', { phone: PHONE, code: '12ab' }));
    expect(res.statusCode).toBe(400);
    expect(res.body.errors[0].path).toBe('code');
  });
});

describe('POST /v1/auth/refresh and logout', () => {
  const accountId = newId();
  const familyId = newId();
  const token = `${familyId}.${'B'.repeat(43)}`;
  const state = (status: 'active' | 'used', revoked = false) => ({
    Responses: {
      'test-table': [
        { ...keys.refreshToken(sha(token)), familyId, status },
        { ...keys.refreshFamily(familyId), familyId, accountId, revoked, expiresAt: Math.floor(Date.now() / 1000) + 1000 },
      ],
    },
  });
  const accountItems = { Items: [{ ...keys.account(accountId), id: accountId, grantsVersion: 0, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'self' }] };

  it('rotates: the presented token is spent under a condition, the family checked alive, a new token put', async () => {
    ddb.on(BatchGetCommand).resolves(state('active'));
    ddb.on(QueryCommand).resolves(accountItems);
    const res = await invokeHttp(refresh, post('/v1/auth/refresh', { refreshToken: token }));
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body.refreshToken).not.toBe(token);
    expect(res.body.refreshToken.startsWith(`${familyId}.`)).toBe(true);
    const [spend, family, next] = transactItems();
    expect(spend.Update!.Key).toEqual(keys.refreshToken(sha(token)));
    expect(spend.Update!.ConditionExpression).toContain('#status = :active');
    expect(family.Update!.ConditionExpression).toContain('revoked = :false');
    expect(next.Put!.Item!.pk).toBe(keys.refreshToken(sha(res.body.refreshToken)).pk);
    expect((await verifyToken(res.body.accessToken)).sessionId).toBe(familyId);
  });

  it('a spent token presented again revokes the whole family and is 401', async () => {
    ddb.on(BatchGetCommand).resolves(state('used'));
    const res = await invokeHttp(refresh, post('/v1/auth/refresh', { refreshToken: token }));
    expect(res.statusCode).toBe(401);
    const revoke = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(revoke.Key).toEqual(keys.refreshFamily(familyId));
    expect(revoke.UpdateExpression).toContain('revoked = :true');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('losing the race to spend the token counts as reuse too', async () => {
    ddb.on(BatchGetCommand).resolves(state('active'));
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const res = await invokeHttp(refresh, post('/v1/auth/refresh', { refreshToken: token }));
    expect(res.statusCode).toBe(401);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.Key).toEqual(keys.refreshFamily(familyId));
  });

  it('a token of a revoked family is 401 and changes nothing', async () => {
    ddb.on(BatchGetCommand).resolves(state('active', true));
    const res = await invokeHttp(refresh, post('/v1/auth/refresh', { refreshToken: token }));
    expect(res.statusCode).toBe(401);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a malformed token is 401 without a read', async () => {
    const res = await invokeHttp(refresh, post('/v1/auth/refresh', { refreshToken: 'nonsense' }));
    expect(res.statusCode).toBe(401);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('logout revokes the family of a token it knows; 204 either way', async () => {
    ddb.on(GetCommand).resolves({ Item: { familyId, status: 'used' } });
    const res = await invokeHttp(logout, post('/v1/auth/logout', { refreshToken: token }));
    expect(res.statusCode).toBe(204);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.Key).toEqual(keys.refreshFamily(familyId));

    resetMocks();
    ddb.on(GetCommand).resolves({});
    expect((await invokeHttp(logout, post('/v1/auth/logout', { refreshToken: token }))).statusCode).toBe(204);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('POST /v1/auth/wechat', () => {
  const stubWechat = (answer: () => Promise<Response>) => {
    const fetchMock = vi.fn((_url: URL | string, _init?: RequestInit) => answer());
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  };

  it('exchanges the code, creates the account bound to the openid, and logs in', async () => {
    const fetchMock = stubWechat(async () => new Response(JSON.stringify({ openid: 'o-abc', session_key: 'k' }), { headers: { 'content-type': 'text/plain' } }));
    const res = await invokeHttp(wechat, post('/v1/auth/wechat', { code: 'wx-code-1' }));
    expect(res.statusCode, res.raw).toBe(200);
    const url = new URL(String(fetchMock.mock.calls[0][0]));
    expect(url.origin + url.pathname).toBe('https://wechat.test/sns/jscode2session');
    expect(Object.fromEntries(url.searchParams)).toEqual({ appid: 'wx-test-app', secret: 'test-wechat-app-secret', js_code: 'wx-code-1', grant_type: 'authorization_code' });
    expect(putsOfType('Login')[0].pk).toBe(keys.wechatLogin('o-abc').pk);
    expect(res.body.account).toMatchObject({ wechatBound: true, phone: null, grants: [] });
    expect(JSON.stringify(res.body)).not.toContain('o-abc');
    expect(await verifyToken(res.body.accessToken)).toMatchObject({ role: 'beneficiary', accountId: res.body.account.id });
  });

  it('a code WeChat rejects (40029) is 401', async () => {
    stubWechat(async () => new Response(JSON.stringify({ errcode: 40029, errmsg: 'invalid code' })));
    const res = await invokeHttp(wechat, post('/v1/auth/wechat', { code: 'bad' }));
    expect(res.statusCode).toBe(401);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['unreachable', async () => Promise.reject(new TypeError('fetch failed'))],
    ['timing out', async () => Promise.reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }))],
    ['answering 502', async () => new Response('bad gateway', { status: 502 })],
    ['busy (errcode -1)', async () => new Response(JSON.stringify({ errcode: -1, errmsg: 'system error' }))],
    ['answering garbage', async () => new Response('<html>')],
  ])('WeChat %s is 503 with Retry-After, not 500', async (_, answer) => {
    stubWechat(answer as () => Promise<Response>);
    const res = await invokeHttp(wechat, post('/v1/auth/wechat', { code: 'any' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.headers['content-type']).toBe('application/problem+json');
  });

  it('a phone without its SMS code is 400', async () => {
    const res = await invokeHttp(wechat, post('/v1/auth/wechat', { code: 'c', phone: PHONE }));
    expect(res.statusCode).toBe(400);
  });
});

describe('accounts and grants', () => {
  const accountId = newId();
  const grantId = newId();
  const teamId = newId();
  const futian = { subject: newId(), role: 'district_admin' as const, scope: 'futian', accountId: newId() };
  const accountItems = (grants: Record<string, unknown>[] = []) => ({
    Items: [
      { ...keys.account(accountId), type: 'Account', id: accountId, phone: PHONE, grantsVersion: 3, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'x' },
      ...grants.map((g) => ({ ...keys.accountGrant(accountId, String(g.id)), type: 'Grant', accountId, grantedAt: '2026-01-01T00:00:00.000Z', grantedBy: 'x', ...g })),
    ],
  });

  it('a district admin grants a team leader of a team in their district: version-checked, audited in the same transaction', async () => {
    ddb.on(QueryCommand).resolves(accountItems());
    ddb.on(GetCommand, { Key: keys.team(teamId) }).resolves({ Item: { ...keys.team(teamId), id: teamId, orgUnitId: 'futian.yuanling' } });
    const res = await invokeHttp(
      grantRole,
      post(`/v1/accounts/${accountId}/roles`, { role: 'team_leader', scope: teamId }, { token: await tokenFor(futian), routeKey: 'POST /v1/accounts/{id}/roles', pathParameters: { id: accountId } }),
    );
    expect(res.statusCode, res.raw).toBe(201);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const [version, grant, audit] = transactItems();
    expect(version.Update!.ConditionExpression).toContain('grantsVersion = :seen');
    expect(version.Update!.ExpressionAttributeValues).toMatchObject({ ':seen': 3, ':next': 4 });
    expect(grant.Put!.Item).toMatchObject({ role: 'team_leader', scope: teamId, orgUnitId: 'futian.yuanling', grantedBy: futian.accountId });
    expect(audit.Put!.Item).toMatchObject({
      type: 'Audit',
      action: 'grant.add',
      actor: { accountId: futian.accountId, role: 'district_admin', scope: 'futian' },
      target: { type: 'account', id: accountId },
      before: { grants: [] },
      orgUnitId: 'futian.yuanling',
      cityPk: 'AUDIT#sz',
      districtPk: 'AUDIT#futian',
      streetPk: 'AUDIT#futian.yuanling',
    });
    expect(audit.Put!.Item!.after.grants).toHaveLength(1);
  });

  it('a district admin may not make a district admin: 403, nothing written', async () => {
    ddb.on(QueryCommand).resolves(accountItems());
    const res = await invokeHttp(
      grantRole,
      post(`/v1/accounts/${accountId}/roles`, { role: 'district_admin', scope: 'futian' }, { token: await tokenFor(futian), routeKey: 'POST /v1/accounts/{id}/roles', pathParameters: { id: accountId } }),
    );
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a scope that does not fit the role is 400 with the field', async () => {
    const res = await invokeHttp(
      grantRole,
      post(`/v1/accounts/${accountId}/roles`, { role: 'team_leader', scope: 'futian' }, { token: await tokenFor(futian), routeKey: 'POST /v1/accounts/{id}/roles', pathParameters: { id: accountId } }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.errors[0].path).toBe('scope');
  });

  it('a grant that changed meanwhile is 409', async () => {
    ddb.on(QueryCommand).resolves(accountItems());
    ddb.on(GetCommand).resolves({ Item: { id: 'futian.yuanling', name: '园岭街道' } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const res = await invokeHttp(
      grantRole,
      post(`/v1/accounts/${accountId}/roles`, { role: 'station_liaison', scope: 'futian.yuanling' }, { token: await tokenFor(futian), routeKey: 'POST /v1/accounts/{id}/roles', pathParameters: { id: accountId } }),
    );
    expect(res.statusCode).toBe(409);
  });

  it('revoking deletes the grant and writes the audit item in one transaction', async () => {
    ddb.on(QueryCommand).resolves(accountItems([{ id: grantId, role: 'station_liaison', scope: 'futian.yuanling', orgUnitId: 'futian.yuanling' }]));
    const res = await invokeHttp(
      revokeRole,
      httpEvent({
        method: 'DELETE',
        path: `/v1/accounts/${accountId}/roles/${grantId}`,
        routeKey: 'DELETE /v1/accounts/{id}/roles/{grantId}',
        pathParameters: { id: accountId, grantId },
        token: await tokenFor(futian),
      }),
    );
    expect(res.statusCode, res.raw).toBe(204);
    const [, del, audit] = transactItems();
    expect(del.Delete!.Key).toEqual(keys.accountGrant(accountId, grantId));
    expect(audit.Put!.Item).toMatchObject({ action: 'grant.revoke', after: { grants: [] } });
    expect(audit.Put!.Item!.before.grants).toHaveLength(1);
  });

  it('a blank scope is a 400 at scope with the length rule’s own message (once) and the role’s rule', async () => {
    const res = await invokeHttp(createAccount, post('/v1/accounts', { phone: PHONE, role: 'district_admin', scope: ' ' }, { token: await tokenFor(futian) }));
    expect(res.statusCode, res.raw).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'scope', message: 'Too small: expected string to have >=1 characters' },
      { path: 'scope', message: 'for role district_admin the scope must be an org unit id' },
    ]);
  });

  it('an account for a phone that already has one is 409', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'futian.yuanling', name: '园岭街道' } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'));
    const res = await invokeHttp(createAccount, post('/v1/accounts', { phone: PHONE, role: 'station_liaison', scope: 'futian.yuanling' }, { token: await tokenFor(futian) }));
    expect(res.statusCode).toBe(409);
  });

  it('switch issues a token for another of the caller’s own grants, and 404 for a grant that is not theirs', async () => {
    const other = newId();
    ddb.on(QueryCommand).resolves(
      accountItems([
        { id: grantId, role: 'station_liaison', scope: 'futian.yuanling', orgUnitId: 'futian.yuanling' },
        { id: other, role: 'beneficiary', scope: 'futian', orgUnitId: 'futian' },
      ]),
    );
    const me = { subject: accountId, accountId, role: 'station_liaison' as const, scope: 'futian.yuanling', grantId, sessionId: newId() };
    const res = await invokeHttp(switchGrant, post('/v1/auth/switch', { grantId: other }, { token: await tokenFor(me) }));
    expect(res.statusCode, res.raw).toBe(200);
    expect(await verifyToken(res.body.accessToken)).toMatchObject({ role: 'beneficiary', scope: 'futian', grantId: other, accountId, sessionId: me.sessionId });
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({ Key: keys.refreshFamily(me.sessionId), ConditionExpression: 'accountId = :account AND revoked = :false' });

    const notMine = await invokeHttp(switchGrant, post('/v1/auth/switch', { grantId: newId() }, { token: await tokenFor(me) }));
    expect(notMine.statusCode).toBe(404);
  });
});
