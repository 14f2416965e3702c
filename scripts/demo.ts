/**
 * `npm run demo`: drives the RUNNING local system (started with `npm start`) through one
 * programme day and prints a line per step. Each run registers new volunteers (phones and
 * identity numbers derived from the clock), so it can be run again and again on the persistent
 * database. Exits non-zero with the failing step and the API's own explanation if anything is off.
 */
import { NotRunningError, readRuntimeState, type RuntimeState } from '../infra/local/state.js';
import { shanghaiYear } from '../shared/domain/time.js';
import { ApiError, createApi, pollUntil } from './lib/api.js';
import { uniqueIdentity } from './lib/identities.js';

const NOT_RUNNING = 'Redstar is not running locally: start it first with npm start (in another terminal), then run npm run demo again.';

let state: RuntimeState;
try {
  state = readRuntimeState();
} catch (error) {
  console.error(error instanceof NotRunningError ? NOT_RUNNING : `Cannot read .local/runtime.json: ${String(error)}`);
  process.exit(1);
}
try {
  const res = await fetch(`${state.apiUrl}/_local/health`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (error) {
  console.error(`Redstar does not answer at ${state.apiUrl} (${error instanceof Error ? error.message : String(error)}): start it first with npm start.`);
  process.exit(1);
}

const api = createApi(state.apiUrl);
const started = Date.now();

// ---- output -------------------------------------------------------------------------------

let stepNo = 0;
/** Runs one step; prints `NN Title  line`, or the failure and exits 1. */
const step = async <T>(title: string, run: () => Promise<T>, say: (value: T) => string): Promise<T> => {
  stepNo++;
  const label = `${String(stepNo).padStart(2)} ${title.padEnd(11)}`;
  try {
    const value = await run();
    console.log(`${label} ${say(value)}`);
    return value;
  } catch (error) {
    const why = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    console.error(`${label} FAILED: ${why}`);
    console.error(`Demo stopped at step ${stepNo} (${title}) after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    process.exit(1);
  }
};

/** Fails the step with a readable message when a result is not what the flow expects. */
const expect = (condition: unknown, message: string) => {
  if (!condition) throw new Error(message);
};

const MINUTE = 60_000;
/** HH:MM on the Shanghai wall clock (UTC+8, no DST). */
const hhmm = (iso: string | number) => new Date(new Date(iso).getTime() + 8 * 60 * MINUTE).toISOString().slice(11, 16);
const iso = (ms: number) => new Date(ms).toISOString();
const short = (id: string) => `…${id.slice(-6)}`;

// ---- the flow -----------------------------------------------------------------------------

console.log(`Redstar demo against ${state.apiUrl} (${state.inMemory ? 'in-memory' : 'persistent'} database)`);

const admin = await step(
  'Tokens',
  () => api.token('city_admin'),
  () => 'city admin (市级管理员) token issued, scope sz (深圳市)',
);

const STREET = 'futian.yuanling';
const place = await step(
  'Org unit',
  async () => {
    const [street, district] = await Promise.all([api.get(`/v1/org-units/${STREET}`, admin), api.get('/v1/org-units/futian', admin)]);
    return { street: street.body.name as string, district: district.body.name as string };
  },
  (p) => `${STREET} is ${p.district} ${p.street} (Yuanling street, Futian district)`,
);

const runTag = hhmm(Date.now()).replace(':', '') + String(new Date().getSeconds()).padStart(2, '0');
const team = await step(
  'Team',
  async () => (await api.post('/v1/teams', { name: `园岭退役军人志愿服务队-${runTag}`, orgUnitId: STREET, specialty: 'general' }, admin)).body,
  (t) => `“${t.name}” created in ${place.street} (team ${short(t.id)})`,
);

const PEOPLE = [
  { name: '张建军', veteran: { branch: '陆军', dischargeYear: 2008, partyMember: true }, skills: ['红色宣讲'] },
  { name: '李卫国', veteran: { branch: '海军', dischargeYear: 2012, partyMember: true }, skills: ['应急救援'] },
  { name: '王海波', veteran: { branch: '空军', dischargeYear: 2015, partyMember: false }, skills: ['交通疏导'] },
  { name: '陈志强', veteran: { branch: '火箭军', dischargeYear: 2019, partyMember: true }, skills: ['心理疏导'] },
];

const register = async (person: (typeof PEOPLE)[number]) => {
  // Identities come from the clock; a clash with an earlier run (409) just takes the next one.
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api.post('/v1/volunteers', { ...person, ...uniqueIdentity(), orgUnitId: STREET }, admin)).body;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409) || attempt >= 3) throw error;
    }
  }
};
const volunteers = await step(
  'Volunteers',
  async () => {
    const list = [];
    for (const person of PEOPLE) list.push(await register(person));
    return list as { id: string; name: string; volunteerNumber: string; phone: string }[];
  },
  (list) => `${list.map((v) => `${v.name} ${v.volunteerNumber} (${v.phone})`).join(', ')} registered`,
);
const [zhang, li, wang, chen] = volunteers;

const tokens = await step(
  'Roster',
  async () => {
    await api.post(`/v1/teams/${team.id}/members`, { volunteerId: zhang.id, role: 'leader' }, admin);
    for (const v of [li, wang, chen]) await api.post(`/v1/teams/${team.id}/members`, { volunteerId: v.id, role: 'member' }, admin);
    const leader = await api.token('team_leader', team.id, zhang.id);
    const own = Object.fromEntries(await Promise.all(volunteers.map(async (v) => [v.id, await api.token('volunteer', undefined, v.id)] as const)));
    return { leader, own: own as Record<string, string> };
  },
  () => `${zhang.name} leads the team (队长 token, scope = the team); each volunteer has an own 志愿者 token`,
);

const now = Date.now();
const startsAt = Math.floor((now - 120 * MINUTE) / MINUTE) * MINUTE;
const endsAt = startsAt + 240 * MINUTE;
const activity = await step(
  'Activity',
  async () => {
    const draft = (
      await api.post(
        '/v1/activities',
        {
          teamId: team.id,
          title: '红色故事进社区宣讲',
          category: 'red-lecture',
          startsAt: iso(startsAt),
          endsAt: iso(endsAt),
          location: { name: '园岭街道党群服务中心', lat: 22.5536, lng: 114.1003 },
          capacity: 3,
        },
        admin,
      )
    ).body;
    expect(draft.status === 'draft', `a new activity should be a draft, got ${draft.status}`);
    const published = (await api.post(`/v1/activities/${draft.id}/publish`, undefined, admin)).body;
    expect(published.status === 'published', `publish returned status ${published.status}`);
    return draft as { id: string; title: string };
  },
  (a) => `“${a.title}” ${hhmm(startsAt)}–${hhmm(endsAt)} Shanghai time (under way now), capacity 3: draft → published`,
);

const signUps = await step(
  'Sign-ups',
  async () => {
    const statuses: string[] = [];
    for (const v of volunteers) {
      statuses.push((await api.post(`/v1/activities/${activity.id}/enrollments`, { volunteerId: v.id }, tokens.own[v.id])).body.status);
    }
    expect(statuses.join() === 'enrolled,enrolled,enrolled,waitlisted', `expected 3 enrolled then 1 waitlisted, got ${statuses.join(', ')}`);
    return statuses;
  },
  (s) => `${volunteers.map((v, i) => `${v.name} ${s[i]}`).join(' · ')} (each with their own token)`,
);
void signUps;

await step(
  'Withdrawal',
  async () => {
    await api.del(`/v1/activities/${activity.id}/enrollments/${li.id}`, tokens.own[li.id], { expect: [204] });
    const after = (await api.get(`/v1/activities/${activity.id}`, admin)).body;
    expect(after.enrolledCount === 3 && after.waitlistCount === 0, `expected 3 enrolled and an empty waitlist, got ${after.enrolledCount} and ${after.waitlistCount}`);
    return after;
  },
  (a) => `${li.name} withdrew → ${chen.name} promoted from the waitlist (enrolled ${a.enrolledCount}/${a.capacity}, waitlist ${a.waitlistCount})`,
);

await step(
  'Check-in',
  async () => {
    // Roles: a volunteer's token acts for that volunteer only.
    await api.post(`/v1/activities/${activity.id}/check-ins`, { volunteerId: zhang.id }, tokens.own[chen.id], { expect: [403] });
    for (const v of [zhang, wang]) await api.post(`/v1/activities/${activity.id}/check-ins`, { volunteerId: v.id }, tokens.leader, { expect: [201] });
    await api.post(`/v1/activities/${activity.id}/check-ins`, { volunteerId: chen.id }, tokens.own[chen.id], { expect: [201] });
  },
  () => `team leader checked in ${zhang.name}, ${wang.name}; ${chen.name} checked in himself (his token for ${zhang.name} → 403)`,
);

const checkOuts = await step(
  'Check-out',
  async () => {
    const records: { volunteer: string; id: string }[] = [];
    for (const v of [zhang, wang, chen]) {
      const res = await api.post(`/v1/activities/${activity.id}/check-outs`, { volunteerId: v.id }, tokens.leader, { expect: [202] });
      expect(res.body.status === 'pending', `check-out should give a pending record, got ${res.body.status}`);
      records.push({ volunteer: v.name, id: res.body.hourRecordId });
    }
    return records;
  },
  (r) => `team leader checked out ${r.map((x) => x.volunteer).join(', ')} → ${r.length} pending hour records (202)`,
);

const backFillFrom = startsAt;
const backFillTo = startsAt + 90 * MINUTE;
const backFill = await step(
  'Back-fill',
  async () =>
    (
      await api.post(
        '/v1/hour-records',
        { volunteerId: zhang.id, activityId: activity.id, startedAt: iso(backFillFrom), endedAt: iso(backFillTo), note: '活动前期布展（补录）' },
        tokens.leader,
        { expect: [202] },
      )
    ).body as { id: string; status: string },
  (r) => `team leader back-filled ${zhang.name} ${hhmm(backFillFrom)}–${hhmm(backFillTo)} (90 min, earlier in the activity) → ${r.status}`,
);

/** Polls a record until verification has decided it. */
const decided = (id: string) =>
  pollUntil(`hour record ${short(id)} to be decided`, async () => {
    const record = (await api.get(`/v1/hour-records/${id}`, admin)).body;
    return record.status === 'pending' ? undefined : record;
  }, 45_000);

await step(
  'Verified',
  async () => {
    const waitStarted = Date.now();
    const checkOutRecords = await Promise.all(checkOuts.map(async (c) => ({ ...c, record: await decided(c.id) })));
    const backFilled = await decided(backFill.id);
    // Checked out moments after checking in: under a whole minute is no service to count.
    const notShort = checkOutRecords.filter((r) => r.record.status !== 'rejected' || r.record.reason !== 'TOO_SHORT');
    expect(notShort.length === 0, notShort.map((r) => `${r.volunteer}'s check-out record is ${r.record.status} ${r.record.reason ?? ''}, expected rejected TOO_SHORT`).join('; '));
    expect(backFilled.status === 'verified', `the back-fill is ${backFilled.status}: ${backFilled.reason} ${backFilled.reasonDetail ?? ''}`);
    return { checkOutRecords, backFilled, seconds: (Date.now() - waitStarted) / 1000 };
  },
  ({ checkOutRecords, backFilled, seconds }) =>
    `decided within ${seconds.toFixed(1)} s: ${zhang.name}'s back-fill verified, ${backFilled.minutes} min; ` +
    `the ${checkOutRecords.length} check-outs seconds after check-in rejected TOO_SHORT (under a minute of service)`,
);

const overlapFrom = startsAt + 45 * MINUTE;
const overlapTo = startsAt + 105 * MINUTE;
await step(
  'Rejected',
  async () => {
    const res = await api.post(
      '/v1/hour-records',
      { volunteerId: zhang.id, activityId: activity.id, startedAt: iso(overlapFrom), endedAt: iso(overlapTo), note: '重复补录' },
      tokens.leader,
      { expect: [202] },
    );
    const record = await decided(res.body.id);
    expect(record.status === 'rejected', `an overlapping back-fill should be rejected, but it is ${record.status}`);
    expect(record.reason === 'OVERLAPS_OTHER_RECORD', `expected reason OVERLAPS_OTHER_RECORD, got ${record.reason}`);
    return record;
  },
  (r) => `back-fill ${hhmm(overlapFrom)}–${hhmm(overlapTo)} for ${zhang.name} → ${r.status}: ${r.reason} (${r.reasonDetail})`,
);

const year = shanghaiYear(new Date());
await step(
  'Hours',
  async () =>
    pollUntil(`${zhang.name}'s verified hours to be tallied`, async () => {
      const v = (await api.get(`/v1/volunteers/${zhang.id}`, tokens.own[zhang.id])).body;
      return v.hours.verifiedMinutes >= 90 ? v : undefined;
    }, 30_000),
  (v) =>
    `${v.name} (own token): ${v.hours.verifiedMinutes} min verified (${v.hours.verifiedHours} h), ${v.hours.yearMinutes} min in ${year}, star level ${v.hours.starLevel}`,
);

const ranking = async (kind: 'volunteers' | 'teams', ours: string) => {
  const res = await api.get(`/v1/rankings/${kind}?orgUnitId=futian&year=${year}&limit=100`, admin);
  const items = res.body.items as { volunteerId?: string; teamId?: string; name: string; minutes: number }[];
  const idOf = (i: (typeof items)[number]) => (kind === 'volunteers' ? i.volunteerId : i.teamId);
  const at = items.findIndex((i) => idOf(i) === ours);
  expect(at >= 0, `${kind === 'volunteers' ? zhang.name : team.name} is missing from the ${kind} ranking of 福田区`);
  const top = items.slice(0, 3).map((i, n) => `${n + 1}. ${i.name} ${i.minutes} min${idOf(i) === ours ? ' (ours)' : ''}`);
  return `${top.join(', ')}${at >= 3 ? ` … ${at + 1}. ours ${items[at].minutes} min` : ''}`;
};
await step('Rankings', () => ranking('volunteers', zhang.id), (line) => `${place.district} ${year}, volunteers: ${line}`);
await step('Rankings', () => ranking('teams', team.id), (line) => `${place.district} ${year}, teams: ${line}`);

const upcomingStart = Math.ceil((Date.now() + 180 * MINUTE) / (15 * MINUTE)) * 15 * MINUTE;
await step(
  'Upcoming',
  async () => {
    const a = (
      await api.post(
        '/v1/activities',
        {
          teamId: team.id,
          title: '烈士纪念日社区祭扫',
          category: 'martyr-commemoration',
          startsAt: iso(upcomingStart),
          endsAt: iso(upcomingStart + 120 * MINUTE),
          location: { name: '园岭公园' },
          capacity: 20,
        },
        admin,
      )
    ).body;
    await api.post(`/v1/activities/${a.id}/publish`, undefined, admin);
    for (const v of [zhang, wang]) await api.post(`/v1/activities/${a.id}/enrollments`, { volunteerId: v.id }, tokens.own[v.id]);
    return a as { title: string };
  },
  (a) => `“${a.title}” ${hhmm(upcomingStart)}–${hhmm(upcomingStart + 120 * MINUTE)} published; ${zhang.name}, ${wang.name} signed up`,
);

await step(
  'Reminders',
  async () => {
    const res = await api.post('/_local/schedules/send-reminders', undefined, undefined);
    const result = res.body.result as { activities: number; queued: number; skipped: number };
    // Ours are two new reminders; the 09:00 cron could have queued them a moment earlier (then skipped).
    expect(result.queued + result.skipped >= 2, `expected at least the 2 new reminders, got ${JSON.stringify(result)}`);
    return { ...result, durationMs: res.body.durationMs as number };
  },
  (r) =>
    `send-reminders ran in ${r.durationMs} ms: ${r.queued} reminder(s) queued for ${r.activities} activit${r.activities === 1 ? 'y' : 'ies'} starting within 24 h` +
    ` (${r.skipped} already queued before; the activity under way is not reminded)`,
);

console.log(`Demo finished: all ${stepNo} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
