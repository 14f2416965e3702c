/**
 * Problems a newcomer found: drafts visible to everyone, field messages only in English,
 * unknown org nodes answering 200, junk text accepted, dev tokens that cannot work.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityItem, ddb, httpEvent, invokeHttp, newId, resetMocks, tokenFor } from './helpers.js';
import { handler as getActivity } from '../../functions/http/activities/get.js';
import { handler as listActivities } from '../../functions/http/activities/list.js';
import { handler as rankVolunteers } from '../../functions/http/rankings/volunteers.js';
import { handler as rankTeams } from '../../functions/http/rankings/teams.js';
import { handler as createTeam } from '../../functions/http/teams/create.js';
import { handler as devToken } from '../../functions/http/dev/create-token.js';
import { keys } from '../../shared/data/keys.js';
import { encodeCursor } from '../../shared/data/cursor.js';
import { languageOf } from '../../shared/http/problem.js';
import { verifyToken } from '../../shared/auth/tokens.js';
import type { Principal } from '../../shared/domain/access.js';

const TEAM = newId();
const OTHER_TEAM = newId();
const cityAdmin: Principal = { subject: 'c', role: 'city_admin', scope: 'sz' };
const futianAdmin: Principal = { subject: 'd', role: 'district_admin', scope: 'futian' };
const luohuAdmin: Principal = { subject: 'l', role: 'district_admin', scope: 'luohu' };
const leader: Principal = { subject: 't', role: 'team_leader', scope: TEAM };
const otherLeader: Principal = { subject: 'o', role: 'team_leader', scope: OTHER_TEAM };
const volunteer: Principal = { subject: 'v', role: 'volunteer', volunteerId: newId() };

const orgItem = (id: string) => ({ ...keys.orgUnit(id), type: 'OrgUnit', id, name: id, level: 'district', parentId: 'sz', path: `sz/${id}` });

describe('draft activities', () => {
  beforeEach(resetMocks);

  const getDraft = async (principal: Principal) => {
    const id = newId();
    ddb.on(GetCommand, { Key: keys.activity(id) }).resolves({ Item: activityItem({ id, teamId: TEAM, status: 'draft' }) });
    return invokeHttp(getActivity, httpEvent({ method: 'GET', path: `/v1/activities/${id}`, routeKey: 'GET /v1/activities/{id}', pathParameters: { id }, token: await tokenFor(principal) }));
  };

  it.each([
    ['a volunteer', volunteer],
    ['another team’s leader', otherLeader],
    ['an admin of another district', luohuAdmin],
  ])('GET of a draft by %s is a 404, as if absent', async (_, principal) => {
    const res = await getDraft(principal);
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatchObject({ status: 404 });
  });

  it.each([
    ['its team leader', leader],
    ['an admin over its node', futianAdmin],
    ['the city admin', cityAdmin],
  ])('GET of a draft by %s shows it', async (_, principal) => {
    const res = await getDraft(principal);
    expect(res.statusCode).toBe(200);
    expect(res.body.status).toBe('draft');
  });

  it('GET of a published activity is seen by anyone signed in', async () => {
    const id = newId();
    ddb.on(GetCommand, { Key: keys.activity(id) }).resolves({ Item: activityItem({ id, teamId: TEAM }) });
    const res = await invokeHttp(getActivity, httpEvent({ method: 'GET', path: `/v1/activities/${id}`, routeKey: 'GET /v1/activities/{id}', pathParameters: { id }, token: await tokenFor(volunteer) }));
    expect(res.statusCode).toBe(200);
  });

  const list = async (principal: Principal, orgUnitId: string) => {
    ddb.on(QueryCommand).resolves({ Items: [activityItem({ id: newId(), teamId: TEAM })] });
    const res = await invokeHttp(listActivities, httpEvent({ method: 'GET', path: '/v1/activities', routeKey: 'GET /v1/activities', query: { orgUnitId }, token: await tokenFor(principal) }));
    expect(res.statusCode).toBe(200);
    const input = ddb.commandCalls(QueryCommand)[0].args[0].input;
    return input;
  };

  it.each([
    ['a volunteer', volunteer, 'futian'],
    ['a team leader', leader, 'futian.yuanling'],
    ['an admin outside the node', luohuAdmin, 'futian'],
    ['an admin of a node below the queried one', futianAdmin, 'sz'],
  ])('the list filters drafts out for %s', async (_, principal, orgUnitId) => {
    const input = await list(principal, orgUnitId);
    expect(input.FilterExpression).toBe('#status <> :draft');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#status': 'status' });
    expect(input.ExpressionAttributeValues).toMatchObject({ ':draft': 'draft' });
  });

  it.each([
    ['an admin over the node', futianAdmin, 'futian.yuanling'],
    ['the city admin', cityAdmin, 'futian'],
  ])('the list includes drafts for %s', async (_, principal, orgUnitId) => {
    const input = await list(principal, orgUnitId);
    expect(input.FilterExpression).toBeUndefined();
  });

  it('a filtered page that came back empty keeps its cursor, and the node is known: 200', async () => {
    const lastKey = { pk: `ACT#${newId()}`, sk: 'ACT', districtPk: 'ACT#futian', districtSk: `2030-01-01T00:00:00.000Z#${newId()}` };
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: lastKey });
    ddb.on(GetCommand, { Key: keys.orgUnit('futian') }).resolves({ Item: orgItem('futian') });
    const res = await invokeHttp(listActivities, httpEvent({ method: 'GET', path: '/v1/activities', routeKey: 'GET /v1/activities', query: { orgUnitId: 'futian' }, token: await tokenFor(volunteer) }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: encodeCursor(lastKey) });
  });
});

describe('unknown org nodes', () => {
  beforeEach(resetMocks);

  const routes = [
    ['GET /v1/activities', listActivities],
    ['GET /v1/rankings/volunteers', rankVolunteers],
    ['GET /v1/rankings/teams', rankTeams],
  ] as const;

  for (const [routeKey, handler] of routes) {
    const path = routeKey.split(' ')[1];
    const call = async (query: Record<string, string>) =>
      invokeHttp(handler, httpEvent({ method: 'GET', path, routeKey, query, token: await tokenFor(cityAdmin) }));

    it(`${routeKey}?orgUnitId=nowhere is a 404, with one Query and one GetItem`, async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(GetCommand).resolves({});
      const res = await call({ orgUnitId: 'nowhere' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toMatchObject({ status: 404 });
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
      expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
      expect(ddb.commandCalls(GetCommand)[0].args[0].input.Key).toEqual(keys.orgUnit('nowhere'));
    });

    it(`${routeKey} of a known node with nothing in it is 200 empty`, async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(GetCommand, { Key: keys.orgUnit('luohu') }).resolves({ Item: orgItem('luohu') });
      const res = await call({ orgUnitId: 'luohu' });
      expect(res.statusCode).toBe(200);
      expect(res.body.items).toEqual([]);
    });

    it(`${routeKey} reads no org unit when the page has items`, async () => {
      ddb.on(QueryCommand).resolves({ Items: [{ ...activityItem({ id: newId(), teamId: TEAM }), volunteerId: newId(), teamId: TEAM, name: '张建国', minutes: 60 }] });
      const res = await call({ orgUnitId: 'futian' });
      expect(res.statusCode).toBe(200);
      expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    });
  }
});

describe('field error messages follow the language', () => {
  beforeEach(resetMocks);

  it('languageOf honours q-weights and defaults to Chinese', () => {
    const of = (value?: string) => languageOf(value === undefined ? {} : { 'accept-language': value });
    expect(of('en;q=0.1,zh;q=0.9')).toBe('zh');
    expect(of('en-US,en;q=0.9')).toBe('en');
    expect(of('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(of('fr,en;q=0.5')).toBe('en');
    expect(of('en;q=0,zh;q=0.1')).toBe('zh');
    expect(of('fr')).toBe('zh');
    expect(of('')).toBe('zh');
    expect(of()).toBe('zh');
  });

  const getWithBadId = async (headers: Record<string, string>) =>
    invokeHttp(getActivity, httpEvent({ method: 'GET', path: '/v1/activities/x', routeKey: 'GET /v1/activities/{id}', pathParameters: { id: 'x' }, token: await tokenFor(cityAdmin), headers }));

  it('a custom schema message is Chinese by default and English when asked', async () => {
    const zh = await getWithBadId({});
    expect(zh.statusCode).toBe(400);
    expect(zh.body.errors).toEqual([{ path: 'id', message: expect.stringMatching(/ULID/) }]);
    expect(zh.body.errors[0].message).not.toMatch(/must be/);
    expect(zh.body.errors[0].message).toMatch(/[\u4e00-\u9fff]/);
    const en = await getWithBadId({ 'accept-language': 'en-US,en;q=0.9' });
    expect(en.body.errors).toEqual([{ path: 'id', message: 'must be a ULID' }]);
    const weighted = await getWithBadId({ 'accept-language': 'en;q=0.1,zh;q=0.9' });
    expect(weighted.body.errors[0].message).toBe(zh.body.errors[0].message);
  });

  it('refinements of whole bodies (endsAt after startsAt) are translated too', async () => {
    const { handler } = await import('../../functions/http/activities/create.js');
    const body = { teamId: TEAM, title: '社区巡逻', category: 'patrol', startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T09:00:00Z', location: { name: '园岭' }, capacity: 5 };
    const res = await invokeHttp(handler, httpEvent({ method: 'POST', path: '/v1/activities', routeKey: 'POST /v1/activities', body, token: await tokenFor(cityAdmin) }));
    expect(res.statusCode).toBe(400);
    const error = res.body.errors.find((e: { path: string }) => e.path === 'endsAt');
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('invalid JSON and invalid cursors carry a Chinese field message by default, English on request', async () => {
    const token = await tokenFor(cityAdmin);
    const json = (headers: Record<string, string>) =>
      invokeHttp(createTeam, httpEvent({ method: 'POST', path: '/v1/teams', routeKey: 'POST /v1/teams', body: '{"name":', token, headers }));
    expect((await json({})).body.errors[0].message).toMatch(/[\u4e00-\u9fff]/);
    expect((await json({ 'accept-language': 'en' })).body.errors[0].message).toBe('Invalid JSON');

    const cursor = (headers: Record<string, string>) =>
      invokeHttp(listActivities, httpEvent({ method: 'GET', path: '/v1/activities', routeKey: 'GET /v1/activities', query: { orgUnitId: 'futian', cursor: 'garbage' }, token, headers }));
    const zh = await cursor({});
    expect(zh.statusCode).toBe(400);
    expect(zh.body.errors).toEqual([{ path: 'cursor', message: expect.stringMatching(/[\u4e00-\u9fff]/) }]);
    expect((await cursor({ 'accept-language': 'en' })).body.errors).toEqual([{ path: 'cursor', message: 'Invalid cursor' }]);
  });
});

describe('free text', () => {
  beforeEach(resetMocks);

  const postTeam = async (name: string, extra: Record<string, unknown> = {}) => {
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: orgItem('futian') });
    return invokeHttp(
      createTeam,
      httpEvent({ method: 'POST', path: '/v1/teams', routeKey: 'POST /v1/teams', body: { name, orgUnitId: 'futian', ...extra }, token: await tokenFor(cityAdmin), headers: { 'accept-language': 'en' } }),
    );
  };

  it.each([
    ['zero-width characters only', '\u200b\u200b'],
    ['zero-width and spaces', ' \u200c\u2060\ufeff\u200d '],
    ['a control character', 'ab\u0000cd'],
    ['a line feed in a one-line field', 'ab\ncd'],
    ['DEL', 'ab\u007fcd'],
    ['a lone high surrogate', 'ab\ud800cd'],
    ['a lone low surrogate', 'ab\udc00cd'],
  ])('a team name of %s is a 400 and nothing is written', async (_, name) => {
    const res = await postTeam(name);
    expect(res.statusCode, res.raw).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('name');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('zero-width characters are removed and the ends trimmed before storing', async () => {
    const res = await postTeam(' \u200b园岭\u200d服务队\ufeff ', { slogan: '  为人民服务\u2060 ' });
    expect(res.statusCode, res.raw).toBe(201);
    expect(res.body).toMatchObject({ name: '园岭服务队', slogan: '为人民服务' });
  });

  it('emoji (well-formed surrogate pairs) are fine', async () => {
    const res = await postTeam('红星😀队');
    expect(res.statusCode, res.raw).toBe(201);
  });

  it('multi-line fields keep line breaks and tabs but refuse other control characters', async () => {
    const { createActivityBody } = await import('../../shared/schemas/activities.js');
    const base = { teamId: TEAM, title: '社区巡逻', category: 'patrol', startsAt: '2030-01-01T09:00:00Z', endsAt: '2030-01-01T10:00:00Z', location: { name: '园岭' }, capacity: 5 };
    expect(createActivityBody.parse({ ...base, description: '第一行\n\t第二行' }).description).toBe('第一行\n\t第二行');
    expect(createActivityBody.safeParse({ ...base, description: 'a\u0007b' }).success).toBe(false);
    expect(createActivityBody.safeParse({ ...base, title: '\u200b\u200b社' }).success).toBe(false);
    expect(createActivityBody.safeParse({ ...base, location: { name: 'x\u0000' } }).success).toBe(false);
  });

  it('every other free-text field refuses junk', async () => {
    const { createVolunteerBody } = await import('../../shared/schemas/volunteers.js');
    const { backFillBody } = await import('../../shared/schemas/hour-records.js');
    const { correctionBody, decideBody, deletionBody } = await import('../../shared/schemas/rights.js');
    const { createBeneficiaryBody, sensitiveDetailsSchema } = await import('../../shared/schemas/beneficiaries.js');
    const { guardianSchema, documentRefSchema } = await import('../../shared/schemas/consents.js');
    const bad = ['\u200b', 'a\u0001', 'a\ud800'];
    for (const junk of bad) {
      expect(createVolunteerBody.shape.name.safeParse(junk).success, JSON.stringify(junk)).toBe(false);
      expect(createVolunteerBody.shape.skills.safeParse([junk]).success).toBe(false);
      expect(createVolunteerBody.shape.veteran.safeParse({ merits: [junk] }).success).toBe(false);
      expect(correctionBody.safeParse({ field: 'skills', proposedValue: [junk], reason: 'x' }).success).toBe(false);
      expect(correctionBody.safeParse({ field: 'name', proposedValue: '张三', reason: junk }).success).toBe(false);
      expect(createBeneficiaryBody.shape.name.safeParse(junk).success).toBe(false);
      expect(sensitiveDetailsSchema.safeParse({ health: junk }).success).toBe(false);
      expect(guardianSchema.shape.name.safeParse(junk).success).toBe(false);
      expect(documentRefSchema.safeParse(junk).success).toBe(false);
    }
    for (const junk of ['a\u0001', 'a\ud800']) {
      expect(createVolunteerBody.shape.veteran.safeParse({ branch: junk }).success).toBe(false);
      expect(backFillBody.safeParse({ volunteerId: newId(), activityId: newId(), startedAt: '2030-01-01T09:00:00Z', endedAt: '2030-01-01T10:00:00Z', note: junk }).success).toBe(false);
      expect(decideBody.safeParse({ decision: 'accept', note: junk }).success).toBe(false);
      expect(deletionBody.safeParse({ reason: junk }).success).toBe(false);
    }
  });
});

describe('dev tokens', () => {
  beforeEach(() => {
    resetMocks();
    process.env.REDSTAR_RUNTIME = 'local';
  });
  afterEach(() => {
    delete process.env.REDSTAR_RUNTIME;
  });

  const ask = (body: Record<string, unknown>) =>
    invokeHttp(devToken, httpEvent({ method: 'POST', path: '/v1/dev/tokens', routeKey: 'POST /v1/dev/tokens', body, headers: { 'accept-language': 'en' } }));

  it.each([
    [{ role: 'district_admin' }, 'scope'],
    [{ role: 'district_admin', scope: 'Futian!' }, 'scope'],
    [{ role: 'station_liaison' }, 'scope'],
    [{ role: 'station_liaison', scope: newId() }, 'scope'],
    [{ role: 'team_leader' }, 'scope'],
    [{ role: 'team_leader', scope: 'futian' }, 'scope'],
    [{ role: 'volunteer' }, 'subject'],
    [{ role: 'volunteer', subject: 'someone' }, 'subject'],
    [{ role: 'city_admin', scope: 'futian' }, 'scope'],
  ])('%j is a 400 naming %s', async (body, path) => {
    const res = await ask(body);
    expect(res.statusCode, res.raw).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });

  it.each([
    [{ role: 'city_admin' }, { role: 'city_admin', scope: 'sz' }],
    [{ role: 'city_admin', scope: 'sz' }, { role: 'city_admin', scope: 'sz' }],
    [{ role: 'district_admin', scope: 'futian' }, { role: 'district_admin', scope: 'futian' }],
    [{ role: 'station_liaison', scope: 'futian.yuanling' }, { role: 'station_liaison', scope: 'futian.yuanling' }],
    [{ role: 'team_leader', scope: TEAM }, { role: 'team_leader', scope: TEAM }],
  ])('%j gives a working token', async (body, claims) => {
    const res = await ask(body);
    expect(res.statusCode, res.raw).toBe(201);
    expect(await verifyToken(res.body.token)).toMatchObject(claims);
  });

  it('a volunteer token carries the volunteer id', async () => {
    const id = newId();
    const res = await ask({ role: 'volunteer', subject: id });
    expect(res.statusCode).toBe(201);
    expect(await verifyToken(res.body.token)).toMatchObject({ role: 'volunteer', subject: id, volunteerId: id });
  });
});
