import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ddb, httpEvent, invokeHttp, newId, resetMocks, tokenFor } from './helpers.js';
import { handler as getVolunteer } from '../../functions/http/volunteers/get.js';
import { handler as createVolunteer } from '../../functions/http/volunteers/create.js';

const volunteerId = newId();
const getEvent = (extra: { token?: string; headers?: Record<string, string> } = {}) =>
  httpEvent({
    method: 'GET',
    path: `/v1/volunteers/${volunteerId}`,
    routeKey: 'GET /v1/volunteers/{id}',
    pathParameters: { id: volunteerId },
    ...extra,
  });

const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; body: any }, status: number) => {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.body.status).toBe(status);
  expect(res.body.type).toBe(`https://redstar.example/problems/${status}`);
};

beforeEach(resetMocks);

describe('authentication', () => {
  it('a request without a token is 401 problem+json and touches no data', async () => {
    const res = await invokeHttp(getVolunteer, getEvent());
    expectProblem(res, 401);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a malformed Authorization header (not Bearer) is 401', async () => {
    const res = await invokeHttp(getVolunteer, getEvent({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }));
    expectProblem(res, 401);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a token signed with another secret is 401', async () => {
    const forged = await new SignJWT({ role: 'city_admin', scope: 'sz' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('intruder')
      .setIssuer('redstar')
      .setAudience('redstar-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-entirely-0123456789'));
    const res = await invokeHttp(getVolunteer, getEvent({ token: forged, headers: { 'accept-language': 'en' } }));
    expectProblem(res, 401);
    expect(res.body.detail).toBe('Invalid token');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('an expired token is 401 and says it expired', async () => {
    const expired = await tokenFor({ subject: 'admin', role: 'city_admin', scope: 'sz' }, '-1h');
    const res = await invokeHttp(getVolunteer, getEvent({ token: expired, headers: { 'accept-language': 'en' } }));
    expectProblem(res, 401);
    expect(res.body.detail).toBe('Token expired');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a token with a role the API does not know is 401', async () => {
    const odd = await tokenFor({ subject: 'x', role: 'superuser' as never });
    const res = await invokeHttp(getVolunteer, getEvent({ token: odd }));
    expectProblem(res, 401);
  });
});

describe('problem language', () => {
  it('problem titles and details are Chinese by default', async () => {
    const res = await invokeHttp(getVolunteer, getEvent());
    expect(res.body.title).toBe('未登录或令牌无效');
    expect(res.body.detail).toBe('缺少 Bearer 令牌');
  });

  it('problem titles and details are English with Accept-Language: en', async () => {
    const res = await invokeHttp(getVolunteer, getEvent({ headers: { 'Accept-Language': 'en-GB,en;q=0.9,zh;q=0.5' } }));
    expect(res.body.title).toBe('Not authenticated');
    expect(res.body.detail).toBe('Missing bearer token');
  });

  it('a client preferring Chinese gets Chinese even if it also accepts English', async () => {
    const res = await invokeHttp(getVolunteer, getEvent({ headers: { 'accept-language': 'zh-CN,en;q=0.8' } }));
    expect(res.body.title).toBe('未登录或令牌无效');
  });

  it('validation problems follow the language too', async () => {
    const token = await tokenFor({ subject: 'admin', role: 'city_admin', scope: 'sz' });
    const event = (headers: Record<string, string>) =>
      httpEvent({ method: 'POST', path: '/v1/volunteers', token, headers, body: { name: '李', phone: 'nope', idNumber: 'nope', orgUnitId: 'futian' } });
    const en = await invokeHttp(createVolunteer, event({ 'accept-language': 'en' }));
    const zh = await invokeHttp(createVolunteer, event({}));
    expect(en.statusCode).toBe(400);
    expect(en.body.title).toBe('Invalid request');
    expect(en.body.detail).toBe('The request did not pass validation');
    expect(zh.statusCode).toBe(400);
    expect(zh.body.title).toBe('请求参数无效');
    expect(zh.body.detail).toBe('请求参数校验失败');
  });
});
