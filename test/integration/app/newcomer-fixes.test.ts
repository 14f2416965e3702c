/**
 * Against the local runtime: drafts stay with those who manage them, unknown org nodes are 404s,
 * field messages speak the caller's language, junk text is refused, dev tokens must be usable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, api, cityAdmin, createActivity, createTeam, createVolunteer, expectStatus, leaderToken, tokenFor, volunteerToken, type Activity, type Team } from './client.js';

const MIN = 60_000;

describe('draft activities', () => {
  let team: Team;
  let draft: Activity;
  let volunteerTok: string;
  let leader: string;
  const windowStart = Date.UTC(2032, 0, 1) + Math.floor(Math.random() * 1_000_000) * MIN;
  const range = `from=${encodeURIComponent(new Date(windowStart - MIN).toISOString())}&to=${encodeURIComponent(new Date(windowStart + MIN).toISOString())}`;

  beforeAll(async () => {
    const admin = await tokenFor('district_admin', { scope: 'futian' });
    team = await createTeam(admin, 'futian.yuanling');
    const volunteer = await createVolunteer(admin, 'futian.yuanling');
    await addMember(admin, team.id, volunteer.id);
    volunteerTok = await volunteerToken(volunteer.id);
    leader = await leaderToken(team.id);
    draft = await createActivity(leader, { teamId: team.id, startsAt: new Date(windowStart), endsAt: new Date(windowStart + 60 * MIN), capacity: 3 });
    expect(draft.status).toBe('draft');
  });

  it('GET of a draft is a 404 for a volunteer, another leader and an admin elsewhere', async () => {
    for (const token of [volunteerTok, await leaderToken('01ARZ3NDEKTSV4RRFFQ69G5FAV'), await tokenFor('district_admin', { scope: 'luohu' })]) {
      const res = await api(`/v1/activities/${draft.id}`, { token });
      expect(res.status, res.text).toBe(404);
      expect(res.contentType).toBe('application/problem+json');
    }
  });

  it('GET of a draft shows it to its leader and to admins over its node', async () => {
    for (const token of [leader, await tokenFor('district_admin', { scope: 'futian' }), await cityAdmin()]) {
      expect(expectStatus(await api(`/v1/activities/${draft.id}`, { token }), 200)).toMatchObject({ id: draft.id, status: 'draft' });
    }
  });

  it('the list shows the draft only to an admin whose scope covers the queried node', async () => {
    const ids = async (token: string, org: string) => (expectStatus(await api(`/v1/activities?orgUnitId=${org}&${range}&limit=100`, { token }), 200).items as Activity[]).map((a) => a.id);
    expect(await ids(await cityAdmin(), 'futian')).toContain(draft.id);
    expect(await ids(await tokenFor('district_admin', { scope: 'futian' }), 'futian.yuanling')).toContain(draft.id);
    expect(await ids(await tokenFor('district_admin', { scope: 'futian' }), 'sz')).not.toContain(draft.id);
    expect(await ids(volunteerTok, 'futian')).not.toContain(draft.id);
    expect(await ids(leader, 'futian.yuanling')).not.toContain(draft.id);
  });
});

describe('unknown org nodes', () => {
  it.each(['/v1/activities', '/v1/rankings/volunteers', '/v1/rankings/teams', '/v1/org-units/nowhere/teams'])('%s of orgUnitId=nowhere is a 404', async (path) => {
    const res = await api(path.includes('nowhere') ? path : `${path}?orgUnitId=nowhere`, { token: await cityAdmin() });
    expect(res.status, res.text).toBe(404);
    expect(res.contentType).toBe('application/problem+json');
  });

  it('a known node with nothing in it is still 200', async () => {
    const res = await api(`/v1/rankings/teams?orgUnitId=futian.yuanling&year=2001`, { token: await cityAdmin() });
    expect(expectStatus(res, 200).items).toEqual([]);
  });
});

describe('field error messages', () => {
  const zh = /[\u4e00-\u9fff]/;
  it('are Chinese by default and for zh-weighted Accept-Language, English for en', async () => {
    const token = await cityAdmin();
    const message = async (lang: string) => (await api('/v1/activities/not-a-ulid', { token, headers: { 'accept-language': lang } })).body.errors[0].message as string;
    expect(await message('')).toMatch(zh);
    expect(await message('en;q=0.1,zh;q=0.9')).toMatch(zh);
    expect(await message('en-US,en;q=0.9')).toBe('must be a ULID');
    const cursor = await api('/v1/activities?orgUnitId=futian&cursor=garbage', { token, headers: { 'accept-language': 'zh-CN' } });
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors[0]).toMatchObject({ path: 'cursor', message: expect.stringMatching(zh) });
  });
});

describe('junk text', () => {
  it.each([['\u200b\u200b'], ['ab\u0000cd'], ['ab\ud800cd'], ['\ufffd\ufffd'], ['钱\u202e国建'], ['ab\u2066cd']])('POST /v1/teams with name %j is a 400', async (name) => {
    // JSON.stringify escapes a lone surrogate as \ud800, as a client would send it.
    const res = await api('/v1/teams', { token: await cityAdmin(), body: { name, orgUnitId: 'futian', specialty: 'general' } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('name');
  });
});

describe('bytes that are not UTF-8', () => {
  const body = (name: Buffer) => Buffer.concat([Buffer.from('{"orgUnitId":"futian","name":"'), name, Buffer.from('"}')]);

  it('in a JSON body (which arrives as text, the bad bytes turned into U+FFFD) are a 400 at the field', async () => {
    const res = await api('/v1/teams', { token: await cityAdmin(), rawBody: body(Buffer.from([0xff, 0xfe, 0x41, 0x42])), headers: { 'content-type': 'application/json' } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('name');
  });

  it('in a body of another type (which arrives base64-encoded) are a 400, not decoded into U+FFFD', async () => {
    const res = await api('/v1/teams', { token: await cityAdmin(), rawBody: body(Buffer.from([0xff, 0xfe, 0x41, 0x42])), headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status, res.text).toBe(400);
    expect(res.contentType).toBe('application/problem+json');
    expect(res.body.detail).toBe('The body is not valid UTF-8 text');
  });
});

describe('dev tokens', () => {
  it.each([
    [{ role: 'district_admin' }, 'scope'],
    [{ role: 'station_liaison', scope: 'Not An Org' }, 'scope'],
    [{ role: 'team_leader', scope: 'futian' }, 'scope'],
    [{ role: 'volunteer' }, 'subject'],
    [{ role: 'volunteer', subject: 'me' }, 'subject'],
    [{ role: 'city_admin', scope: 'futian' }, 'scope'],
  ])('%j is a 400 naming %s', async (body, path) => {
    const res = await api('/v1/dev/tokens', { body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });
});
