/**
 * Whatever a client sends, the API answers with a 4xx problem document, never a 5xx: for every
 * HTTP route in shared/functions.ts, malformed bodies, path parameters and query strings, with
 * a valid token, another role's token, a garbage token or none. Valid-looking and real ids are
 * mixed in so that requests also get past validation into the data layer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { httpFunctions, type HttpFunction } from '../../../shared/functions.js';
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
  uniquePhone,
  uniqueResidentId,
  volunteerToken,
  type Activity,
  type Team,
  type Volunteer,
} from './client.js';

const MIN = 60_000;
const NUM_RUNS = 30;
/** A property (its runs and, on failure, its shrinking) stops after this long. */
const TIME_BUDGET_MS = 40_000;
const ROUTES = httpFunctions();
const LIST_ROUTES = new Set(['GET /v1/org-units/{id}/children', 'GET /v1/org-units/{id}/teams', 'GET /v1/volunteers/{id}/hour-records', 'GET /v1/activities', 'GET /v1/rankings/volunteers', 'GET /v1/rankings/teams']);
const routeKey = (r: HttpFunction) => `${r.method} ${r.path}`;

// ---- the fixture the requests may point at --------------------------------------------

interface Fixture {
  tokens: Record<AuthKind, string | undefined>;
  teams: Team[];
  volunteers: Volunteer[];
  activities: Activity[];
  /** Drafts that only the publish and cancel properties get, so the others keep open activities. */
  spareActivities: Activity[];
  recordIds: string[];
  /** For each list route, a request (path + query) that returned a real nextCursor, and that cursor decoded. */
  cursors: Map<string, { path: string; query: string; key: Record<string, unknown> }>;
}
let fx: Fixture;

type AuthKind =
  | 'admin'
  | 'none'
  | 'garbage'
  | 'basic'
  | 'bearerOnly'
  | 'tampered'
  | 'district'
  | 'districtUnknownScope'
  | 'leader'
  | 'volunteer'
  | 'beneficiary'
  | 'assessor';

// ---- arbitraries ------------------------------------------------------------------------

const STATE_CHANGING = new Set(['POST /v1/activities/{id}/publish', 'POST /v1/activities/{id}/cancel']);
const realId = (r: HttpFunction) =>
  fc.constantFrom(
    ...fx.teams.map((t) => t.id),
    ...fx.volunteers.map((v) => v.id),
    ...(STATE_CHANGING.has(routeKey(r)) ? fx.spareActivities : fx.activities).map((a) => a.id),
    ...fx.recordIds,
  );
const orgIds = fc.constantFrom('sz', 'futian', 'luohu', 'futian.lianhua', 'futian.yuanling', 'nanshan.shekou', 'futian.lianhua.c1', 'a.b.c.d', 'sz.sz', 'futian.nope');
const weirdStrings = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  '...',
  '%',
  '%%',
  '%zz',
  '%E4%B8',
  '%00',
  '%2F',
  '%2e%2e',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'a/b',
  '\\',
  '"',
  "'",
  '<script>',
  '${x}',
  '😀',
  '福田区',
  'ｆｕｔｉａｎ',
  '\u0000',
  '\u202e',
  'FUTIAN',
  ' futian',
  'futian.',
  '.futian',
  'futian..yuanling',
);
// Long, but the whole URL stays under the local gateway's 16 KiB request-head limit (Node's
// default, answered with a bare 431 before any route runs): 福 is nine characters once encoded.
const longString = fc.oneof(
  fc.constantFrom(300, 1025, 2049, 4000).chain((n) => fc.constantFrom('a', '0', 'Z', '-').map((c) => c.repeat(n))),
  fc.constantFrom(121, 300).map((n) => '福'.repeat(n)),
);
const ulidLike = fc.oneof(fc.ulid(), fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), fc.stringMatching(/^[0-9a-z]{26}$/), fc.stringMatching(/^[0-9A-Z]{25,27}$/));

/** A path parameter value, and whether to put it into the URL as it is (raw) or percent-encoded. */
const pathParam = (r: HttpFunction) =>
  fc.oneof(
    { arbitrary: realId(r).map((v) => ({ v, raw: false })), weight: 3 },
    { arbitrary: ulidLike.map((v) => ({ v, raw: false })), weight: 2 },
    { arbitrary: orgIds.map((v) => ({ v, raw: false })), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((v) => ({ v, raw: false })), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => ({ v, raw: false })), weight: 1 },
    { arbitrary: weirdStrings.map((v) => ({ v, raw: false })), weight: 2 },
    { arbitrary: fc.constantFrom('..', '.', '%', '%zz', '%E4%B8', '%00', '%2F', '%2e%2e', ';', '@', '!', '*').map((v) => ({ v, raw: true })), weight: 2 },
    { arbitrary: longString.map((v) => ({ v, raw: false })), weight: 1 },
  );

const offsets = fc.constantFrom('Z', '+08:00', '-05:00', '+00:00', '+23:59', '-23:59', '+14:00');
/** ISO instants across the whole range the schema accepts (years 0000-9999), with odd offsets. */
const instant = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), offsets, fc.boolean())
  .map(([y, mo, d, h, mi, off, ms]) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:00${ms ? '.123' : ''}${off}`;
  });
const nearInstant = fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }).map((m) => new Date(Date.now() + m * MIN).toISOString());
const edgeInstants = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+01:00',
  '0000-01-01T00:30:00+23:59',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59-05:00',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T00:00:00',
  '2024-01-01',
  '1700000000000',
  'yesterday',
);
const instantish = fc.oneof(instant, nearInstant, edgeInstants, fc.string({ maxLength: 30 }));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url');
const cursorGarbage = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.base64String({ maxLength: 80 }),
  fc.jsonValue({ maxDepth: 2 }).map(b64),
  fc.dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'cityPk', 'citySk', 'districtPk', 'districtSk', 'streetPk', 'streetSk', 'districtRankPk', 'cityRankPk', 'streetRankPk', 'minutes'), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant('')), { maxKeys: 6 }).map(b64),
  fc.constantFrom('x'.repeat(2049), '=', '==', 'e30', 'bnVsbA', 'W10', 'InN0ciI'),
);

const QUERY_KEYS = ['limit', 'cursor', 'orgUnitId', 'from', 'to', 'year'] as const;
const queryValue = (key: string) => {
  switch (key) {
    case 'limit':
      return fc.oneof(fc.constantFrom('-1', 'abc', '1000', '0', '1.5', '', ' 5', '1e2', '0x10', 'Infinity', 'NaN', '20', '1', '100', '101', '9007199254740993', '[]', '{}'), fc.integer().map(String));
    case 'cursor':
      return cursorGarbage;
    case 'orgUnitId':
      return fc.oneof(orgIds, weirdStrings, fc.string({ maxLength: 30 }), longString);
    case 'from':
    case 'to':
      return instantish;
    case 'year':
      return fc.oneof(fc.constantFrom('1999', '2000', '2026', '2100', '2101', 'abc', '-1', '', '2026.5', '0x7E9'), fc.integer().map(String));
    default:
      return fc.string({ maxLength: 20 });
  }
};
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
/** A query string: known keys with odd values, random keys, duplicates, raw percent garbage. */
const queryString = fc.oneof(
  { arbitrary: fc.constant(''), weight: 1 },
  {
    arbitrary: fc
      .array(
        fc.oneof(
          { arbitrary: fc.constantFrom(...QUERY_KEYS).chain((k) => queryValue(k).map((v) => `${k}=${enc(v)}`)), weight: 4 },
          { arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })).map(([k, v]) => `${enc(k)}=${enc(v)}`), weight: 1 },
          { arbitrary: fc.constantFrom('limit', 'cursor', 'from', '=', '&', 'limit=%', 'cursor=%zz', 'from=%E4%B8', 'to=%', '%=%', 'orgUnitId=%00', 'year=%2'), weight: 1 },
        ),
        { maxLength: 5 },
      )
      .map((pairs) => pairs.join('&')),
    weight: 6,
  },
);

/** Values of the wrong type (or the right type with a wrong shape) for any field. */
const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 30 }),
  fc.constant(''),
  fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, -0),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.constant('x'.repeat(5000)),
  ulidLike,
  instantish,
  orgIds,
  weirdStrings,
);

const KNOWN_FIELDS = ['role', 'scope', 'subject', 'name', 'orgUnitId', 'specialty', 'slogan', 'volunteerId', 'phone', 'idNumber', 'veteran', 'skills', 'teamId', 'title', 'category', 'description', 'startsAt', 'endsAt', 'location', 'capacity', 'lat', 'lng', 'activityId', 'startedAt', 'endedAt', 'note'];

/** A body the route would accept, built on the fixture; the property then breaks parts of it. */
const validBody = (r: HttpFunction): fc.Arbitrary<Record<string, unknown>> => {
  const vol = fc.constantFrom(...fx.volunteers.map((v) => v.id));
  const act = fc.constantFrom(...fx.activities.map((a) => a.id));
  const team = fc.constantFrom(...fx.teams.map((t) => t.id));
  switch (routeKey(r)) {
    case 'POST /v1/dev/tokens':
      return fc.record({ role: fc.constantFrom('city_admin', 'district_admin', 'team_leader', 'volunteer'), scope: fc.option(orgIds, { nil: undefined }), subject: fc.option(vol, { nil: undefined }) });
    case 'POST /v1/teams':
      return fc.record({ name: fc.constant('模糊测试队'), orgUnitId: orgIds, specialty: fc.constantFrom('general', 'medical') });
    case 'POST /v1/teams/{id}/members':
      return fc.record({ volunteerId: vol, role: fc.constantFrom('member', 'leader') });
    case 'POST /v1/volunteers':
      return fc.record({ name: fc.constant('测试员'), orgUnitId: orgIds }).map((b) => ({ ...b, phone: uniquePhone(), idNumber: uniqueResidentId(), veteran: { branch: '海军', enlistmentYear: 2000, dischargeYear: 2004 }, skills: ['first-aid'] }));
    case 'POST /v1/activities':
      return fc.record({ teamId: team, title: fc.constant('模糊测试活动'), category: fc.constantFrom('patrol', 'other'), startsAt: instantish, endsAt: instantish, location: fc.constant({ name: '测试点', lat: 22.5, lng: 114 }), capacity: fc.integer({ min: 1, max: 20 }) });
    case 'POST /v1/activities/{id}/enrollments':
      return fc.record({ volunteerId: vol });
    case 'POST /v1/activities/{id}/check-ins':
    case 'POST /v1/activities/{id}/check-outs':
      return fc.record({ volunteerId: vol, lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) });
    case 'POST /v1/hour-records':
      return fc.record({ volunteerId: vol, activityId: act, startedAt: instantish, endedAt: instantish, note: fc.string({ maxLength: 20 }) });
    default:
      return fc.constant({});
  }
};

interface Body {
  text?: string | Buffer;
  contentType?: string;
  label: string;
}
const contentTypes = fc.constantFrom<string | undefined>('application/json', 'application/json', 'application/json', 'text/plain', 'application/octet-stream', undefined, 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/problem+json');
const body = (r: HttpFunction): fc.Arbitrary<Body> => {
  const json = (label: string) => (value: unknown) => ({ text: JSON.stringify(value), label });
  const texts: fc.Arbitrary<{ text?: string | Buffer; label: string }> = fc.oneof(
    { arbitrary: fc.constant({ text: undefined, label: 'no body' }), weight: 1 },
    { arbitrary: fc.anything({ maxDepth: 3 }).map(json('anything')), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json('json value')), weight: 1 },
    { arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ text, label: 'random text' })), weight: 1 },
    {
      arbitrary: fc.constantFrom('{', '}', '{"a":', '[1,]', 'NaN', "{'a':1}", '\u0000', '{"volunteerId":"01H', '\ufeff{}', 'null', 'true', '""', '[]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', '9'.repeat(400), '{"a":1,"a":2}').map((text) => ({ text, label: 'invalid or odd JSON' })),
      weight: 1,
    },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ text: Buffer.from(bytes), label: 'raw bytes' })), weight: 1 },
    {
      arbitrary: fc.constantFrom(200_000, 1024 * 1024 - 20, 1024 * 1024 + 1).map((n) => ({ text: `{"name":"${'x'.repeat(n)}"}`, label: `huge (${n})` })),
      weight: 1,
    },
    {
      arbitrary: fc.integer({ min: 1000, max: 50_000 }).map((depth) => ({ text: '['.repeat(depth) + ']'.repeat(depth), label: `deep (${depth})` })),
      weight: 1,
    },
    {
      arbitrary: fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), wrongValue, { maxKeys: 6 }).map(json('known fields, wrong values')),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(validBody(r), fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), wrongValue, { maxKeys: 2 }), fc.boolean())
        .map(([valid, broken, keep]) => (keep ? valid : { ...valid, ...broken }))
        .map(json('valid body, maybe with broken fields')),
      weight: 4,
    },
  );
  return fc.tuple(texts, contentTypes).map(([t, contentType]) => ({ ...t, contentType }));
};

const auth: fc.Arbitrary<AuthKind> = fc.oneof(
  { arbitrary: fc.constant<AuthKind>('admin'), weight: 8 },
  { arbitrary: fc.constantFrom<AuthKind>('none', 'garbage', 'basic', 'bearerOnly', 'tampered'), weight: 3 },
  { arbitrary: fc.constantFrom<AuthKind>('district', 'districtUnknownScope', 'leader', 'volunteer', 'beneficiary', 'assessor'), weight: 2 },
);

// ---- sending and judging ----------------------------------------------------------------

interface Sent {
  method: string;
  url: string;
  auth: AuthKind;
  body?: Body;
}

const send = async (req: Sent) => {
  const headers: Record<string, string> = {};
  const token = fx.tokens[req.auth];
  if (token !== undefined) headers.authorization = token;
  if (req.body?.contentType) headers['content-type'] = req.body.contentType;
  return api(req.url, { method: req.method, headers, rawBody: req.method === 'GET' ? undefined : req.body?.text, timeoutMs: 20_000 });
};

/** < 500 always; a 4xx is an RFC 9457 problem whose `status` is the HTTP status. */
const judge = async (req: Sent) => {
  const res = await send(req);
  const describe = () =>
    `${req.method} ${req.url.slice(0, 300)} [auth ${req.auth}${req.body ? `, body ${req.body.label}: ${String(req.body.text ?? '').slice(0, 200)}, content-type ${req.body.contentType}` : ''}] → ${res.status} ${res.contentType} ${res.text.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`5xx: ${describe()}`);
  if (res.status >= 400) {
    if (res.contentType !== 'application/problem+json') throw new Error(`not a problem document: ${describe()}`);
    const problem = res.body as { status?: unknown; title?: unknown; type?: unknown };
    if (typeof problem?.status !== 'number' || problem.status !== res.status) throw new Error(`problem.status does not match: ${describe()}`);
    if (typeof problem.title !== 'string' || typeof problem.type !== 'string') throw new Error(`problem lacks type/title: ${describe()}`);
  }
  return res.status;
};

const pathOf = (r: HttpFunction, params: Record<string, { v: string; raw: boolean }>) =>
  r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const p = params[name];
    return p.raw ? p.v : enc(p.v);
  });

const paramNames = (r: HttpFunction) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
const paramsArb = (r: HttpFunction) =>
  fc.record(Object.fromEntries(paramNames(r).map((n) => [n, pathParam(r)]))) as fc.Arbitrary<Record<string, { v: string; raw: boolean }>>;

const runProperty = async <T>(arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<unknown>, numRuns = NUM_RUNS) => {
  await fc.assert(
    fc.asyncProperty(arb, async (value) => {
      await predicate(value);
    }),
    // Bounded: runs plus shrinking stop after the budget (each step is an HTTP request).
    { numRuns, plugins: [fc.interruptAfterTimeLimit(TIME_BUDGET_MS)] },
  );
};

// ---- setup ------------------------------------------------------------------------------

beforeAll(async () => {
  const admin = await cityAdmin();
  const teams = [await createTeam(admin, 'futian.lianhua'), await createTeam(admin, 'futian.lianhua')];
  const volunteers = [await createVolunteer(admin, 'futian.lianhua'), await createVolunteer(admin, 'futian.lianhua')];
  for (const t of teams) for (const v of volunteers) await addMember(admin, t.id, v.id);
  const leader = await leaderToken(teams[0].id);
  const now = Date.now();
  const activities: Activity[] = [];
  for (const t of teams) {
    const a = await createActivity(admin, { teamId: t.id, startsAt: new Date(now - 240 * MIN), endsAt: new Date(now + 240 * MIN), capacity: 5 });
    await publish(admin, a.id);
    activities.push(a);
  }
  // Verified records for both volunteers on both teams, so rankings and record lists have two entries.
  const recordIds: string[] = [];
  const backFill = async (v: Volunteer, a: Activity, from: number, to: number) =>
    expectStatus(
      await api('/v1/hour-records', {
        token: admin,
        body: { volunteerId: v.id, activityId: a.id, startedAt: new Date(now - from * MIN).toISOString(), endedAt: new Date(now - to * MIN).toISOString() },
      }),
      202,
    ).id as string;
  recordIds.push(await backFill(volunteers[0], activities[0], 200, 150));
  recordIds.push(await backFill(volunteers[0], activities[1], 140, 100));
  recordIds.push(await backFill(volunteers[1], activities[1], 90, 60));
  for (const id of recordIds) expect(await decided(admin, id)).toMatchObject({ status: 'verified' });

  const tokens: Fixture['tokens'] = {
    admin: `Bearer ${admin}`,
    none: undefined,
    garbage: 'Bearer not.a.jwt',
    basic: 'Basic YWRtaW46YWRtaW4=',
    bearerOnly: 'Bearer',
    tampered: `Bearer ${admin.slice(0, -3)}${admin.endsWith('AAA') ? 'BBB' : 'AAA'}`,
    district: `Bearer ${await tokenFor('district_admin', { scope: 'futian' })}`,
    // Dev tokens refuse an admin without a scope; an unknown node reaches nothing either.
    districtUnknownScope: `Bearer ${await tokenFor('district_admin', { scope: 'nowhere' })}`,
    leader: `Bearer ${leader}`,
    volunteer: `Bearer ${await volunteerToken(volunteers[0].id)}`,
    beneficiary: `Bearer ${await tokenFor('beneficiary')}`,
    assessor: `Bearer ${await tokenFor('assessor')}`,
  };

  // One real cursor per list route, to tamper with.
  const cursorSources: Record<string, { path: string; query: string }> = {
    'GET /v1/org-units/{id}/children': { path: '/v1/org-units/sz/children', query: 'limit=1' },
    'GET /v1/org-units/{id}/teams': { path: '/v1/org-units/futian.lianhua/teams', query: 'limit=1' },
    'GET /v1/volunteers/{id}/hour-records': { path: `/v1/volunteers/${volunteers[0].id}/hour-records`, query: 'limit=1' },
    'GET /v1/activities': { path: '/v1/activities', query: 'orgUnitId=futian.lianhua&limit=1' },
    'GET /v1/rankings/volunteers': { path: '/v1/rankings/volunteers', query: 'orgUnitId=futian.lianhua&limit=1' },
    'GET /v1/rankings/teams': { path: '/v1/rankings/teams', query: 'orgUnitId=futian.lianhua&limit=1' },
  };
  const cursors: Fixture['cursors'] = new Map();
  for (const [key, source] of Object.entries(cursorSources)) {
    const cursor = await eventually(async () => {
      const res = expectStatus(await api(`${source.path}?${source.query}`, { token: admin }), 200);
      if (!res.nextCursor) throw new Error(`${key} gave no cursor yet`);
      return res.nextCursor as string;
    });
    cursors.set(key, { ...source, key: JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) });
  }

  const spareActivities = [
    await createActivity(admin, { teamId: teams[0].id, startsAt: new Date(now + 60 * MIN), endsAt: new Date(now + 120 * MIN), capacity: 5 }),
    await createActivity(admin, { teamId: teams[1].id, startsAt: new Date(now + 60 * MIN), endsAt: new Date(now + 120 * MIN), capacity: 5 }),
  ];

  fx = { tokens, teams, volunteers, activities, spareActivities, recordIds, cursors };
}, 90_000);

// ---- properties -------------------------------------------------------------------------

describe('no input makes any route answer 5xx', () => {
  it('covers every HTTP route declared in shared/functions.ts', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(23);
    expect(ROUTES.filter((r) => LIST_ROUTES.has(routeKey(r)))).toHaveLength(LIST_ROUTES.size);
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: malformed path, query and body get a 4xx problem, never a 5xx`, async () => {
      const arb = fc.record({ auth, params: paramsArb(route), query: queryString, body: body(route) });
      await runProperty(arb, ({ auth: a, params, query, body: b }) =>
        judge({ method: route.method, url: `${pathOf(route, params)}${query ? `?${query}` : ''}`, auth: a, body: route.method === 'GET' ? undefined : b }),
      );
    }, 90_000);
  }
});

describe('list cursors', () => {
  /** A real cursor with its values changed, keys dropped or added, still for the right list. */
  const tampered = (key: Record<string, unknown>) => {
    const names = Object.keys(key);
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.constant(''), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
    return fc
      .tuple(fc.subarray(names, { minLength: 1 }), fc.array(value, { minLength: names.length, maxLength: names.length }), fc.constantFrom('replace', 'drop', 'add'))
      .map(([picked, values, how]) => {
        const out: Record<string, unknown> = { ...key };
        picked.forEach((n, i) => {
          if (how === 'drop') delete out[n];
          else if (how === 'add') out[`${n}x`] = values[i];
          else out[n] = values[i];
        });
        return out;
      });
  };

  for (const name of LIST_ROUTES) {
    it(`${name}: a real cursor with tampered keys or values gets a 4xx problem (or a page), never a 5xx`, async () => {
      const source = fx.cursors.get(name)!;
      // A string swapped for another string may still be a well-formed start key (200); anything
      // else (wrong type, empty, missing or extra key, other partition) must be a 400.
      await runProperty(tampered(source.key), (key) => judge({ method: 'GET', url: `${source.path}?${source.query}&cursor=${b64(key)}`, auth: 'admin' }), 25);
    }, 90_000);
  }

  it('the untampered cursor still works (the tampering is what is judged)', async () => {
    for (const [name, source] of fx.cursors) {
      const res = await api(`${source.path}?${source.query}&cursor=${b64(source.key)}`, { token: (await cityAdmin()) });
      expect(res.status, name).toBe(200);
    }
  });
});

describe('numbers at the edges of what DynamoDB stores', () => {
  // lat/lng pass the schema (|lat| <= 90) but DynamoDB refuses numbers of magnitude below 1e-130.
  const TINY = 1e-200;
  const fresh = async () => {
    const admin = await cityAdmin();
    const volunteer = await createVolunteer(admin, 'futian.lianhua');
    await addMember(admin, fx.teams[0].id, volunteer.id);
    const now = Date.now();
    const activity = await createActivity(admin, { teamId: fx.teams[0].id, startsAt: new Date(now - 10 * MIN), endsAt: new Date(now + 60 * MIN), capacity: 5 });
    await publish(admin, activity.id);
    const token = await volunteerToken(volunteer.id);
    expectStatus(await api(`/v1/activities/${activity.id}/enrollments`, { token, body: { volunteerId: volunteer.id } }), 201);
    return { admin, volunteer, activity, token };
  };

  it(`POST /v1/activities/{id}/check-ins with lat ${TINY} is stored or refused with a 4xx, not a 5xx`, async () => {
    const { volunteer, activity, token } = await fresh();
    const res = await api(`/v1/activities/${activity.id}/check-ins`, { token, body: { volunteerId: volunteer.id, lat: TINY, lng: 114.05 } });
    expect(res.status, res.text).toBeLessThan(500);
  });

  it(`POST /v1/activities/{id}/check-outs with lng ${TINY} is stored or refused with a 4xx, not a 5xx`, async () => {
    const { volunteer, activity, token } = await fresh();
    expectStatus(await api(`/v1/activities/${activity.id}/check-ins`, { token, body: { volunteerId: volunteer.id, lat: 22.5, lng: 114.05 } }), 201);
    const res = await api(`/v1/activities/${activity.id}/check-outs`, { token, body: { volunteerId: volunteer.id, lat: 22.5, lng: -TINY } });
    expect(res.status, res.text).toBeLessThan(500);
  });

  it(`POST /v1/activities with location.lat ${TINY} is stored or refused with a 4xx, not a 5xx`, async () => {
    const admin = await cityAdmin();
    const now = Date.now();
    const res = await api('/v1/activities', {
      token: admin,
      body: {
        teamId: fx.teams[0].id,
        title: '坐标边界测试',
        category: 'other',
        startsAt: new Date(now + 60 * MIN).toISOString(),
        endsAt: new Date(now + 120 * MIN).toISOString(),
        location: { name: '赤道附近', lat: TINY, lng: 0 },
        capacity: 3,
      },
    });
    expect(res.status, res.text).toBeLessThan(500);
  });
});

describe('instants at the edges of the accepted range', () => {
  it('GET /v1/activities with `to` before year 0 in UTC (0000-01-01T00:00:00+01:00) is a 4xx, not a 5xx', async () => {
    const status = await judge({ method: 'GET', url: `/v1/activities?orgUnitId=futian&to=${enc('0000-01-01T00:00:00+01:00')}`, auth: 'admin' });
    expect(status).toBeLessThan(500);
  });

  it('GET /v1/activities with `from` after `to` in time (year 10000 in UTC) is a 400', async () => {
    const from = '9999-12-31T23:59:59-05:00'; // 10000-01-01T04:59:59Z
    const to = '9999-12-31T23:59:59Z';
    const res = await api(`/v1/activities?from=${enc(from)}&to=${enc(to)}`, { token: await cityAdmin() });
    expect(res.status).toBe(400);
  });
});
