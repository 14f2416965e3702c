/**
 * The main flow, through HTTP only, as the mini-program drives it: an admin registers a team and
 * its volunteers, the team leader creates and publishes an activity that is under way, a
 * volunteer signs up, checks in and out; organisers back-fill records; verification and the
 * tally run asynchronously behind the queues; totals, rankings and lists show the result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  api,
  cityAdmin,
  createActivity,
  createTeam,
  createVolunteer,
  decided,
  eventually,
  expectStatus,
  leaderToken,
  publish,
  tokenFor,
  volunteerToken,
  type Activity,
  type ApiResponse,
  type HourRecord,
  type Team,
  type Volunteer,
  uniquePhone,
  uniqueResidentId,
} from './client.js';

const MIN = 60_000;
const shanghaiYear = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).getUTCFullYear();
/** Rankings show 王建国 as 王*国 until consent is recorded. */
const masked = (name: string) => {
  const c = [...name];
  return c.length <= 1 ? '*' : c.length === 2 ? `${c[0]}*` : `${c[0]}${'*'.repeat(c.length - 2)}${c[c.length - 1]}`;
};

/** Every item of a list route, following nextCursor; fails on a repeated cursor or page overflow. */
const collect = async <T>(path: string, token: string, maxPages = 50): Promise<{ items: T[]; pages: number }> => {
  const items: T[] = [];
  const seenCursors = new Set<string>();
  let cursor: string | null = null;
  for (let page = 1; page <= maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: ApiResponse<{ items: T[]; nextCursor: string | null }> = await api<{ items: T[]; nextCursor: string | null }>(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token });
    const body: { items: T[]; nextCursor: string | null } = expectStatus(res, 200, `GET ${path} page ${page}`);
    expect(Array.isArray(body.items)).toBe(true);
    items.push(...body.items);
    if (!body.nextCursor) return { items, pages: page };
    expect(seenCursors.has(body.nextCursor), 'a cursor came back twice').toBe(false);
    seenCursors.add(body.nextCursor);
    cursor = body.nextCursor;
  }
  throw new Error(`${path} did not end within ${maxPages} pages`);
};

describe('the volunteer-service flow through HTTP', () => {
  const now = Date.now();
  let admin: string;
  let leader: string;
  let team: Team;
  let volunteer: Volunteer;
  let bystander: Volunteer;
  let activity: Activity;
  /** Every record of `volunteer` that must end verified, with its expected minutes. */
  const verified: HourRecord[] = [];

  beforeAll(async () => {
    admin = await tokenFor('district_admin', { scope: 'futian' });
    team = await createTeam(admin, 'futian.yuanling');
    volunteer = await createVolunteer(admin, 'futian.yuanling');
    bystander = await createVolunteer(admin, 'futian.yuanling');
    await addMember(admin, team.id, volunteer.id);
    await addMember(admin, team.id, bystander.id);
    leader = await leaderToken(team.id);
    activity = await createActivity(leader, {
      teamId: team.id,
      title: '园岭社区治安巡逻',
      startsAt: new Date(now - 120 * MIN),
      endsAt: new Date(now + 120 * MIN),
      capacity: 5,
    });
    expect(activity).toMatchObject({ status: 'draft', enrolledCount: 0, capacity: 5, orgUnitId: 'futian.yuanling' });
    expect(await publish(leader, activity.id)).toMatchObject({ status: 'published' });
  });

  it('registers volunteers with masked phone and identity number', async () => {
    const body = expectStatus(await api(`/v1/volunteers/${volunteer.id}`, { token: await volunteerToken(volunteer.id) }), 200);
    expect(body).toMatchObject({ id: volunteer.id, name: volunteer.name, orgUnitId: 'futian.yuanling' });
    // A volunteer sees their own phone in full, their identity number masked.
    expect(body.phone).toMatch(/^139\d{8}$/);
    expect(body.idNumber).toMatch(/^440\*+\d{3}[\dX]$/);
    expect(body.hours).toMatchObject({ verifiedMinutes: 0, yearMinutes: 0 });
  });

  it('registers a phone or identity number once, also when two registrations race (409 for the second)', async () => {
    const register = (phone: string, idNumber: string) =>
      api('/v1/volunteers', { token: admin, body: { name: '赵卫国', phone, idNumber, orgUnitId: 'futian.yuanling' } });
    const phone = uniquePhone();
    const samePhone = await Promise.all([register(phone, uniqueResidentId()), register(`+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`, uniqueResidentId())]);
    expect(samePhone.map((r) => r.status).sort()).toEqual([201, 409]);
    const idNumber = uniqueResidentId();
    const sameId = await Promise.all([register(uniquePhone(), idNumber), register(uniquePhone(), idNumber)]);
    expect(sameId.map((r) => r.status).sort()).toEqual([201, 409]);
    for (const r of [...samePhone, ...sameId].filter((r) => r.status === 409)) expect(r.contentType).toBe('application/problem+json');
  });

  let misTapped: { startedAt: string; endedAt: string } | undefined;
  it('signs up, checks in and checks out; the check-out record is accepted pending, then rejected as under a minute', async () => {
    const self = await volunteerToken(volunteer.id);
    const enrolled = await api(`/v1/activities/${activity.id}/enrollments`, { token: self, body: { volunteerId: volunteer.id } });
    expect(expectStatus(enrolled, 201)).toMatchObject({ status: 'enrolled' });
    expect(expectStatus(await api(`/v1/activities/${activity.id}`, { token: self }), 200)).toMatchObject({ enrolledCount: 1, status: 'published' });

    const checkIn = await api(`/v1/activities/${activity.id}/check-ins`, { token: self, body: { volunteerId: volunteer.id, lat: 22.55, lng: 114.1 } });
    expectStatus(checkIn, 201, 'check-in');
    const checkedInAt = Date.now();

    const checkOut = await api(`/v1/activities/${activity.id}/check-outs`, { token: self, body: { volunteerId: volunteer.id, lat: 22.55, lng: 114.1 } });
    const accepted = expectStatus(checkOut, 202, 'check-out');
    expect(accepted).toMatchObject({ hourRecordId: expect.any(String), status: 'pending' });

    // Checked out moments after checking in: no whole minute of service to count.
    const record = await decided(self, accepted.hourRecordId);
    expect(record).toMatchObject({ id: accepted.hourRecordId, volunteerId: volunteer.id, activityId: activity.id, status: 'rejected', reason: 'TOO_SHORT' });
    expect(Math.abs(Date.parse(record.startedAt) - checkedInAt)).toBeLessThan(10_000);
    expect(Date.parse(record.endedAt) - Date.parse(record.startedAt)).toBeLessThan(MIN);
    misTapped = record;

    // Checking out twice is a conflict, not a second record.
    expect((await api(`/v1/activities/${activity.id}/check-outs`, { token: self, body: { volunteerId: volunteer.id } })).status).toBe(409);
  });

  it('refuses check-in to a volunteer who did not sign up', async () => {
    const res = await api(`/v1/activities/${activity.id}/check-ins`, { token: await volunteerToken(bystander.id), body: { volunteerId: bystander.id } });
    expect(res.status).toBe(409);
    expect(res.contentType).toBe('application/problem+json');
  });

  const backFill = async (startedAt: Date, endedAt: Date, note?: string) => {
    const res = await api('/v1/hour-records', {
      token: leader,
      body: { volunteerId: volunteer.id, activityId: activity.id, startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), note },
    });
    const accepted = expectStatus(res, 202, 'back-fill');
    expect(accepted).toMatchObject({ id: expect.any(String), status: 'pending' });
    return decided(leader, accepted.id);
  };

  it('verifies a back-filled record inside the activity window with its minutes', async () => {
    const record = await backFill(new Date(now - 110 * MIN), new Date(now - 50 * MIN), '线下补录');
    expect(record).toMatchObject({ status: 'verified', minutes: 60, source: 'back-fill' });
    verified.push(record);
  });

  it('verifies a back-fill that starts exactly 30 minutes (the grace) before the activity', async () => {
    const startsAt = Date.parse(activity.startsAt);
    const record = await backFill(new Date(startsAt - 30 * MIN), new Date(startsAt - 1 * MIN));
    expect(record).toMatchObject({ status: 'verified', minutes: 29 });
    verified.push(record);
  });

  it('verifies a back-fill over the rejected mis-tapped check-out: a rejected record blocks nothing', async () => {
    expect(misTapped).toBeDefined();
    const record = await backFill(new Date(Date.parse(misTapped!.startedAt) - 20 * MIN), new Date(misTapped!.endedAt));
    expect(record).toMatchObject({ status: 'verified', minutes: expect.any(Number) });
    expect(record.minutes).toBeGreaterThanOrEqual(20);
    verified.push(record);
  });

  it('rejects a back-fill that overlaps a verified record (OVERLAPS_OTHER_RECORD)', async () => {
    const record = await backFill(new Date(now - 100 * MIN), new Date(now - 70 * MIN));
    expect(record).toMatchObject({ status: 'rejected', reason: 'OVERLAPS_OTHER_RECORD' });
  });

  it('rejects a back-fill outside the activity window beyond the 30-minute grace (OUTSIDE_ACTIVITY_WINDOW)', async () => {
    const startsAt = Date.parse(activity.startsAt);
    const record = await backFill(new Date(startsAt - 45 * MIN), new Date(startsAt - 31 * MIN));
    expect(record).toMatchObject({ status: 'rejected', reason: 'OUTSIDE_ACTIVITY_WINDOW' });
  });

  it('shows totals equal to the sum of verified minutes on the volunteer', async () => {
    expect(verified.length).toBe(3);
    const total = verified.reduce((sum, r) => sum + r.minutes, 0);
    const thisYear = shanghaiYear(new Date().toISOString());
    const yearTotal = verified.filter((r) => shanghaiYear(r.startedAt) === thisYear).reduce((sum, r) => sum + r.minutes, 0);
    expect(total).toBeGreaterThanOrEqual(89);
    // The tally runs after verification, behind its own queue.
    const hours = await eventually(async () => {
      const body = expectStatus(await api(`/v1/volunteers/${volunteer.id}`, { token: await volunteerToken(volunteer.id) }), 200);
      expect(body.hours).toMatchObject({ verifiedMinutes: total, yearMinutes: yearTotal });
      return body.hours;
    });
    expect(hours.verifiedHours).toBe(Math.floor(total / 6) / 10);

    // The volunteer's own list holds all six records (three verified, three rejected), newest start first.
    const list = await api<{ items: HourRecord[] }>(`/v1/volunteers/${volunteer.id}/hour-records?limit=100`, { token: await volunteerToken(volunteer.id) });
    const items = expectStatus(list, 200).items;
    expect(items).toHaveLength(6);
    const starts = items.map((r) => r.startedAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(items.filter((r) => r.status === 'verified').reduce((sum, r) => sum + r.minutes, 0)).toBe(total);
  });

  it('ranks the volunteer (name masked) and the team in their district with those minutes', async () => {
    const total = verified.reduce((sum, r) => sum + r.minutes, 0);
    const token = await cityAdmin();
    type VolRow = { volunteerId: string; name: string; minutes: number };
    type TeamRow = { teamId: string; name: string; minutes: number };

    const volRow = await eventually(async () => {
      const { items } = await collect<VolRow>('/v1/rankings/volunteers?orgUnitId=futian&limit=100', token);
      const row = items.find((r) => r.volunteerId === volunteer.id);
      expect(row, 'volunteer missing from the futian ranking').toBeDefined();
      expect(row!.minutes).toBe(total);
      // Most minutes first.
      expect(items.map((r) => r.minutes)).toEqual([...items.map((r) => r.minutes)].sort((a, b) => b - a));
      return row!;
    });
    expect(volRow.name).toBe(masked(volunteer.name));
    expect(volRow.name).not.toBe(volunteer.name);

    const year = shanghaiYear(new Date().toISOString());
    const yearRows = (await collect<VolRow>(`/v1/rankings/volunteers?orgUnitId=futian.yuanling&year=${year}&limit=100`, token)).items;
    expect(yearRows.find((r) => r.volunteerId === volunteer.id)?.minutes).toBe(
      verified.filter((r) => shanghaiYear(r.startedAt) === year).reduce((sum, r) => sum + r.minutes, 0),
    );

    const teamRows = (await collect<TeamRow>('/v1/rankings/teams?orgUnitId=futian&limit=100', token)).items;
    const teamRow = teamRows.find((r) => r.teamId === team.id);
    expect(teamRow).toMatchObject({ teamId: team.id, name: team.name, minutes: total });

    // Not ranked in another district.
    const luohuVols = (await collect<VolRow>('/v1/rankings/volunteers?orgUnitId=luohu&limit=100', token)).items;
    expect(luohuVols.some((r) => r.volunteerId === volunteer.id)).toBe(false);
    const luohuTeams = (await collect<TeamRow>('/v1/rankings/teams?orgUnitId=luohu&limit=100', token)).items;
    expect(luohuTeams.some((r) => r.teamId === team.id)).toBe(false);
  });

  it('lists the activity under futian by its start time, and not under luohu', async () => {
    const token = await cityAdmin();
    const start = Date.parse(activity.startsAt);
    const range = (from: number, to: number) => `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const ids = async (org: string, q: string) =>
      (await collect<Activity>(`/v1/activities?orgUnitId=${org}&${q}&limit=100`, token)).items.map((a) => a.id);

    expect(await ids('futian', range(start - MIN, start + MIN))).toContain(activity.id);
    expect(await ids('futian.yuanling', range(start - MIN, start + MIN))).toContain(activity.id);
    expect(await ids('sz', range(start - MIN, start + MIN))).toContain(activity.id);
    // [from, to] is inclusive at both ends.
    expect(await ids('futian', range(start, start))).toContain(activity.id);
    // Offsets other than Z mean the same instant.
    const plus8 = new Date(start + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    expect(await ids('futian', `from=${encodeURIComponent(plus8)}&to=${encodeURIComponent(plus8)}`)).toContain(activity.id);

    expect(await ids('luohu', range(start - MIN, start + MIN))).not.toContain(activity.id);
    expect(await ids('futian.nanyuan', range(start - MIN, start + MIN))).not.toContain(activity.id);
    expect(await ids('futian', range(start + MIN, start + 2 * MIN))).not.toContain(activity.id);
  });

  it('pages lists with limit=1 and the cursor, without repeats or gaps', async () => {
    const token = await cityAdmin();
    // Three activities of our own in a window nobody else uses.
    const base = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 1_000_000) * MIN;
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await createActivity(leader, { teamId: team.id, startsAt: new Date(base + i * MIN), endsAt: new Date(base + i * MIN + 60 * MIN), capacity: 3 });
      mine.push(a.id);
    }
    const q = `orgUnitId=futian&from=${encodeURIComponent(new Date(base).toISOString())}&to=${encodeURIComponent(new Date(base + 10 * MIN).toISOString())}`;
    const paged = await collect<Activity>(`/v1/activities?${q}&limit=1`, token);
    expect(paged.items.map((a) => a.id)).toEqual(mine);
    expect(paged.pages).toBeGreaterThanOrEqual(3);
    const first = expectStatus(await api(`/v1/activities?${q}&limit=1`, { token }), 200);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));

    // Org children: every district once.
    const all = expectStatus(await api('/v1/org-units/sz/children?limit=100', { token }), 200).items.map((o: { id: string }) => o.id);
    const children = (await collect<{ id: string }>('/v1/org-units/sz/children?limit=1', token)).items.map((o) => o.id);
    expect(new Set(children).size).toBe(children.length);
    expect(children).toEqual(all);
    expect(children).toEqual(expect.arrayContaining(['futian', 'luohu']));

    // Teams under a street, and a volunteer's hour records.
    const teams = (await collect<Team>('/v1/org-units/futian.yuanling/teams?limit=1', token)).items.map((t) => t.id);
    expect(new Set(teams).size).toBe(teams.length);
    expect(teams).toContain(team.id);
    const records = (await collect<HourRecord>(`/v1/volunteers/${volunteer.id}/hour-records?limit=1`, token)).items.map((r) => r.id);
    expect(records).toHaveLength(6);
    expect(new Set(records).size).toBe(6);

    // Rankings page too.
    const ranked = (await collect<{ volunteerId: string }>('/v1/rankings/volunteers?orgUnitId=futian.yuanling&limit=1', token)).items.map((r) => r.volunteerId);
    expect(new Set(ranked).size).toBe(ranked.length);
    expect(ranked).toContain(volunteer.id);
  });

  it('answers a forged or foreign cursor with a 400 problem', async () => {
    const token = await cityAdmin();
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const luohuCursor = expectStatus(await api('/v1/org-units/luohu/children?limit=1', { token }), 200).nextCursor as string;
    expect(luohuCursor).toEqual(expect.any(String));
    const forged = [
      'not-a-cursor',
      '%%%',
      b64('just a string'),
      b64([1, 2, 3]),
      b64({ pk: 'ORG#x', sk: 'ORG' }),
      b64({ pk: 'ACT#1', sk: 'ACT', districtPk: 'ACT#luohu', districtSk: 'x' }),
      luohuCursor, // a real cursor, but of another list
    ];
    for (const cursor of forged) {
      const res = await api(`/v1/org-units/futian/children?limit=1&cursor=${encodeURIComponent(cursor)}`, { token });
      expect(res.status, `cursor ${cursor}`).toBe(400);
      expect(res.contentType).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 400 });
    }
    for (const path of ['/v1/activities?orgUnitId=futian', '/v1/rankings/teams?orgUnitId=futian', `/v1/volunteers/${volunteer.id}/hour-records?x=1`]) {
      const res = await api(`${path}&cursor=${b64({ pk: 'VOL#x', sk: 'VOL' })}`, { token });
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ status: 400 });
    }
  });

  it('answers a cursor with the right keys and partition but a mistyped or empty key value with a 400, not a 500', async () => {
    const token = await cityAdmin();
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const real = expectStatus(await api('/v1/org-units/sz/children?limit=1', { token }), 200).nextCursor as string;
    const key = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(key).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
    const tampered = [
      { ...key, gsi1sk: 5 }, // a number where the index sort key is a string
      { ...key, pk: 7 },
      { ...key, gsi1sk: '' }, // empty key attribute
      { ...key, pk: '' },
    ];
    const statuses = [];
    for (const k of tampered) {
      const res = await api(`/v1/org-units/sz/children?limit=1&cursor=${b64(k)}`, { token });
      statuses.push({ cursor: JSON.stringify(k), status: res.status, problem: res.contentType === 'application/problem+json' });
    }
    expect(statuses).toEqual(tampered.map((k) => ({ cursor: JSON.stringify(k), status: 400, problem: true })));
  });
});
