/**
 * The authorization matrix: every HTTP route × every role × inside/outside the futian world,
 * checked against what the programme expects (written by hand below, NOT derived from POLICY).
 *
 * The DynamoDB mock answers from a small in-memory world:
 *   org tree  sz > futian > futian.yuanling, sz > luohu > luohu.dongmen
 *   T_IN (futian.yuanling) with member V_IN; T_OUT (luohu.dongmen) with member V_OUT
 *   A_IN of T_IN, A_OUT of T_OUT (published, running now, capacity 10)
 *   H_IN (V_IN on A_IN), H_OUT (V_OUT on A_OUT); V_IN enrolled in and checked in to A_IN.
 * Every route is called with the records of the futian world. An expected-allowed call must
 * not be 401/403 (nor crash); an expected-denied call must be the bare 403 problem, with no
 * record data in it, and must write nothing.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '../../shared/aws/dynamodb.js';
import { SendMessageCommand } from '../../shared/aws/sqs.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HOUR,
  TABLE_NAME,
  activityItem,
  ddb,
  hourRecordItem,
  httpEvent,
  invokeHttp,
  isoAgo,
  isoIn,
  newId,
  resetMocks,
  sqs,
  teamItem,
  tokenFor,
  volunteerItem,
  type HttpEventInput,
  type ParsedResponse,
} from './helpers.js';
import { keyedHash } from '../../shared/crypto/keyed-hash.js';
import { keys } from '../../shared/data/keys.js';
import { toOrgUnit } from '../../shared/data/org-units.js';
import { ROLES, type Principal, type Role } from '../../shared/domain/access.js';
import { maskPhone, maskResidentId } from '../../shared/domain/identity.js';
import { httpFunctions, type HttpFunction } from '../../shared/functions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------------------------
// The world.

const T_IN = newId();
const T_OUT = newId();
const V_IN = newId();
const V_OUT = newId();
const A_IN = newId();
const A_OUT = newId();
const H_IN = newId();
const H_OUT = newId();
const IN_ORG = 'futian.yuanling';
const OUT_ORG = 'luohu.dongmen';

const PERSON_IN = { name: '李卫东', phone: '13900001111', idNumber: '440304195503120017', volunteerNumber: 'SZV00000011' };
const PERSON_OUT = { name: '王保国', phone: '13700002222', idNumber: '440303196001010038', volunteerNumber: 'SZV00000022' };
const TEAM_IN_NAME = '园岭老兵先锋队';
const TEAM_OUT_NAME = '东门老兵突击队';
const ACT_IN_TITLE = '园岭社区夜间巡逻';
const ACT_OUT_TITLE = '东门步行街交通疏导';
const LEADER_OUT_SUBJECT = 'u-leader-luohu';
// Identity: an account holding a station-liaison grant (primary) and a beneficiary grant at IN_ORG.
const ACC_IN = newId();
const G_IN_LIAISON = newId();
const G_IN_RESIDENT = newId();
const FAMILY_IN = newId();
const REFRESH_IN = `${FAMILY_IN}.${'A'.repeat(43)}`;
const LOGIN_PHONE = '13566667777';
// Data-subject rights: a pending correction and a pending deletion request of V_IN.
const R_CORRECTION = newId();
const R_DELETION = newId();
const LOGIN_CODE = '123456';

type Item = Record<string, unknown>;

const orgItem = (id: string, name: string): Item => {
  const unit = toOrgUnit({ id, name });
  return { ...keys.orgUnit(id), ...(unit.parentId ? keys.orgChildrenIndex(unit.parentId, id) : {}), type: 'OrgUnit', ...unit };
};

const startsAt = isoAgo(1 * HOUR);
const endsAt = isoIn(2 * HOUR);
const hourStart = isoAgo(30 * 24 * HOUR);
const hourEnd = isoAgo(30 * 24 * HOUR - 2 * HOUR);

const buildWorld = (): Item[] => [
  orgItem('sz', '深圳市'),
  orgItem('futian', '福田区'),
  orgItem(IN_ORG, '园岭街道'),
  orgItem('luohu', '罗湖区'),
  orgItem(OUT_ORG, '东门街道'),

  { ...teamItem({ id: T_IN, name: TEAM_IN_NAME, orgUnitId: IN_ORG, memberCount: 1 }), ...keys.teamLevels(IN_ORG, T_IN) },
  { ...teamItem({ id: T_OUT, name: TEAM_OUT_NAME, orgUnitId: OUT_ORG, memberCount: 1 }), ...keys.teamLevels(OUT_ORG, T_OUT) },
  {
    ...keys.teamMember(T_IN, V_IN),
    ...keys.volunteerTeamsIndex(V_IN, T_IN),
    type: 'TeamMember',
    teamId: T_IN,
    volunteerId: V_IN,
    role: 'member',
    joinedAt: '2024-01-01T00:00:00.000Z',
  },
  {
    ...keys.teamMember(T_OUT, V_OUT),
    ...keys.volunteerTeamsIndex(V_OUT, T_OUT),
    type: 'TeamMember',
    teamId: T_OUT,
    volunteerId: V_OUT,
    role: 'member',
    joinedAt: '2024-01-01T00:00:00.000Z',
  },

  volunteerItem({ id: V_IN, ...PERSON_IN, orgUnitId: IN_ORG }),
  volunteerItem({ id: V_OUT, ...PERSON_OUT, orgUnitId: OUT_ORG }),
  ...[
    { id: V_IN, person: PERSON_IN, org: IN_ORG },
    { id: V_OUT, person: PERSON_OUT, org: OUT_ORG },
  ].map(({ id, person, org }) => ({
    ...keys.volunteerTally(id, 'ALL'),
    ...keys.volunteerRankKeys(org, 'ALL'),
    type: 'VolunteerTally',
    volunteerId: id,
    name: person.name,
    orgUnitId: org,
    period: 'ALL',
    minutes: 600,
  })),
  ...[
    { id: T_IN, name: TEAM_IN_NAME, org: IN_ORG },
    { id: T_OUT, name: TEAM_OUT_NAME, org: OUT_ORG },
  ].map(({ id, name, org }) => ({
    ...keys.teamTally(id, 'ALL'),
    ...keys.teamRankKeys(org, 'ALL'),
    type: 'TeamTally',
    teamId: id,
    name,
    orgUnitId: org,
    period: 'ALL',
    minutes: 600,
  })),

  {
    ...activityItem({ id: A_IN, teamId: T_IN, orgUnitId: IN_ORG, title: ACT_IN_TITLE, startsAt, endsAt, capacity: 10, createdBy: 'u-leader-futian' }),
    ...keys.activityLevels(IN_ORG, startsAt, A_IN),
  },
  {
    ...activityItem({ id: A_OUT, teamId: T_OUT, orgUnitId: OUT_ORG, title: ACT_OUT_TITLE, startsAt, endsAt, capacity: 10, createdBy: LEADER_OUT_SUBJECT }),
    ...keys.activityLevels(OUT_ORG, startsAt, A_OUT),
  },
  { ...keys.enrollment(A_IN, V_IN), type: 'Enrollment', activityId: A_IN, volunteerId: V_IN, status: 'enrolled', enrolledAt: isoAgo(2 * HOUR) },
  { ...keys.enrollment(A_OUT, V_OUT), type: 'Enrollment', activityId: A_OUT, volunteerId: V_OUT, status: 'enrolled', enrolledAt: isoAgo(2 * HOUR) },
  { ...keys.attendance(A_IN, V_IN), type: 'Attendance', activityId: A_IN, volunteerId: V_IN, checkedInAt: isoAgo(HOUR / 2) },
  { ...keys.attendance(A_OUT, V_OUT), type: 'Attendance', activityId: A_OUT, volunteerId: V_OUT, checkedInAt: isoAgo(HOUR / 2) },

  hourRecordItem({
    id: H_IN,
    volunteerId: V_IN,
    volunteerName: PERSON_IN.name,
    volunteerOrgUnitId: IN_ORG,
    activityId: A_IN,
    activityTitle: ACT_IN_TITLE,
    teamId: T_IN,
    teamName: TEAM_IN_NAME,
    orgUnitId: IN_ORG,
    startedAt: hourStart,
    endedAt: hourEnd,
    minutes: 120,
    status: 'verified',
  }),
  hourRecordItem({
    id: H_OUT,
    volunteerId: V_OUT,
    volunteerName: PERSON_OUT.name,
    volunteerOrgUnitId: OUT_ORG,
    activityId: A_OUT,
    activityTitle: ACT_OUT_TITLE,
    teamId: T_OUT,
    teamName: TEAM_OUT_NAME,
    orgUnitId: OUT_ORG,
    startedAt: hourStart,
    endedAt: hourEnd,
    minutes: 120,
    status: 'verified',
  }),
];

const rightsRequestItem = (id: string, kind: 'correction' | 'deletion', extra: Item = {}): Item => ({
  ...keys.rightsRequest(id),
  ...keys.rightsRequestLevels(kind, IN_ORG, 'pending', '2024-06-01T00:00:00.000Z', id),
  type: 'RightsRequest',
  id,
  kind,
  volunteerId: V_IN,
  orgUnitId: IN_ORG,
  status: 'pending',
  createdAt: '2024-06-01T00:00:00.000Z',
  requestedBy: 'u-volunteer-in',
  ...extra,
});

// Consent and beneficiaries: V_IN's public-name consent (C_IN), in force; beneficiary B_IN at
// IN_ORG, whose sensitive-details consent holds.
const C_IN = newId();
const B_IN = newId();
const consentWorld = (): Item[] => [
  {
    ...keys.consentRecord(C_IN),
    ...keys.consentHistoryIndex('volunteer', V_IN, '2025-01-01T00:00:00.000Z', C_IN),
    type: 'Consent',
    id: C_IN,
    subjectType: 'volunteer',
    subjectId: V_IN,
    orgUnitId: IN_ORG,
    purpose: 'public-name',
    policyVersion: '2025-01',
    grantedAt: '2025-01-01T00:00:00.000Z',
    recordedBy: { method: 'self', subject: 'u-volunteer-in', role: 'volunteer' },
  },
  { ...keys.consentState('volunteer', V_IN, 'public-name'), type: 'ConsentState', granted: true, consentId: C_IN, policyVersion: '2025-01', version: 1 },
  {
    ...keys.beneficiary(B_IN),
    ...keys.beneficiaryLevels(IN_ORG, B_IN),
    type: 'Beneficiary',
    id: B_IN,
    name: '陈秀英',
    phone: '13344445555',
    orgUnitId: IN_ORG,
    careCategories: ['elderly-alone'],
    hasSensitiveDetails: false,
    registeredAt: '2025-01-01T00:00:00.000Z',
    registeredBy: 'u-station',
  },
  { ...keys.consentState('beneficiary', B_IN, 'sensitive-details'), type: 'ConsentState', granted: true, consentId: newId(), policyVersion: '2025-01', version: 1 },
];

const WORLD = [
  ...buildWorld(),
  ...consentWorld(),
  rightsRequestItem(R_CORRECTION, 'correction', { field: 'skills', proposedValue: ['first-aid'], reason: '新取得证书' }),
  rightsRequestItem(R_DELETION, 'deletion'),
];

const findItem = (key: { pk?: unknown; sk?: unknown }) => WORLD.find((i) => i.pk === key.pk && i.sk === key.sk);

/** `#pk = :pk [AND <sort condition>]` against the world; BETWEEN, begins_with and `<` on the sort key. */
const query = (input: any) => {
  const names: Record<string, string> = input.ExpressionAttributeNames ?? {};
  const values: Record<string, unknown> = input.ExpressionAttributeValues ?? {};
  const attr = (token: string) => (token.startsWith('#') ? names[token] : token);
  // The partition condition comes first; the sort condition (which may hold its own AND) follows.
  const expression = String(input.KeyConditionExpression);
  const cut = expression.indexOf(' AND ');
  const [pkPart, skPart] = cut < 0 ? [expression, undefined] : [expression.slice(0, cut), expression.slice(cut + 5)];
  const pkMatch = /^\s*(\S+)\s*=\s*(:\S+)\s*$/.exec(pkPart);
  if (!pkMatch) throw new Error(`world cannot answer ${input.KeyConditionExpression}`);
  const pkName = attr(pkMatch[1]);
  let items = WORLD.filter((i) => i[pkName] === values[pkMatch[2]]);
  let skName: string | undefined;
  if (skPart) {
    const between = /^\s*(\S+)\s+BETWEEN\s+(:\S+)\s+AND\s+(:\S+)\s*$/i.exec(skPart);
    const begins = /^\s*begins_with\(\s*(\S+)\s*,\s*(:\S+)\s*\)\s*$/i.exec(skPart);
    const less = /^\s*(\S+)\s*<\s*(:\S+)\s*$/.exec(skPart);
    if (between) {
      skName = attr(between[1]);
      items = items.filter((i) => String(i[skName!]) >= String(values[between[2]]) && String(i[skName!]) <= String(values[between[3]]));
    } else if (begins) {
      skName = attr(begins[1]);
      items = items.filter((i) => String(i[skName!]).startsWith(String(values[begins[2]])));
    } else if (less) {
      skName = attr(less[1]);
      items = items.filter((i) => String(i[skName!]) < String(values[less[2]]));
    }
  }
  if (skName) items = [...items].sort((a, b) => String(a[skName!]).localeCompare(String(b[skName!])));
  if (input.ScanIndexForward === false) items = [...items].reverse();
  return { Items: items.slice(0, input.Limit ?? items.length) };
};

const installWorld = () => {
  ddb.on(GetCommand).callsFake((input: any) => {
    const item = findItem(input.Key);
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb.on(BatchGetCommand).callsFake((input: any) => {
    const wanted: Array<{ pk: string; sk: string }> = input.RequestItems[TABLE_NAME].Keys;
    return { Responses: { [TABLE_NAME]: wanted.map(findItem).filter(Boolean).map((i) => structuredClone(i)) } };
  });
  ddb.on(QueryCommand).callsFake((input: any) => query(input));
  ddb.on(UpdateCommand).callsFake((input: any) => {
    const values: Record<string, unknown> = input.ExpressionAttributeValues ?? {};
    return {
      Attributes: {
        ...(findItem(input.Key) ?? {}),
        ...(':to' in values ? { status: values[':to'] } : {}),
        value: 1,
      },
    };
  });
  ddb.on(PutCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
};

const WRITES = [PutCommand, UpdateCommand, DeleteCommand, TransactWriteCommand] as const;
const writesMade = () => WRITES.reduce((n, command) => n + ddb.commandCalls(command as any).length, 0) + sqs.commandCalls(SendMessageCommand).length;

// ---------------------------------------------------------------------------------------------
// Principals.

type Side = 'inside' | 'outside';

const PRINCIPALS: Record<Side, Partial<Record<Role, Principal>>> = {
  inside: {
    city_admin: { subject: 'u-city', role: 'city_admin', scope: 'sz' },
    district_admin: { subject: 'u-district-futian', role: 'district_admin', scope: 'futian' },
    station_liaison: { subject: ACC_IN, role: 'station_liaison', scope: IN_ORG, accountId: ACC_IN, grantId: G_IN_LIAISON },
    team_leader: { subject: 'u-leader-futian', role: 'team_leader', scope: T_IN },
    volunteer: { subject: 'u-volunteer-in', role: 'volunteer', volunteerId: V_IN },
    beneficiary: { subject: 'u-beneficiary', role: 'beneficiary' },
    assessor: { subject: 'u-assessor', role: 'assessor' },
  },
  outside: {
    // The city admin has no outside.
    district_admin: { subject: 'u-district-luohu', role: 'district_admin', scope: 'luohu' },
    station_liaison: { subject: 'u-station-dongmen', role: 'station_liaison', scope: OUT_ORG },
    team_leader: { subject: LEADER_OUT_SUBJECT, role: 'team_leader', scope: T_OUT },
    volunteer: { subject: 'u-volunteer-out', role: 'volunteer', volunteerId: V_OUT },
    // Not scoped: the same as inside.
    beneficiary: { subject: 'u-beneficiary', role: 'beneficiary' },
    assessor: { subject: 'u-assessor', role: 'assessor' },
  },
};

type Who = `${Role} ${Side}`;
const CASES: Array<{ role: Role; side: Side; principal: Principal }> = ROLES.flatMap((role) =>
  (['inside', 'outside'] as const).flatMap((side) => {
    const principal = PRINCIPALS[side][role];
    return principal ? [{ role, side, principal }] : [];
  }),
);

// ---------------------------------------------------------------------------------------------
// What the programme expects (by hand; deliberately not read from POLICY).

const EVERYONE: Who[] = CASES.map((c) => `${c.role} ${c.side}` as Who);
const ADMINS_OVER: Who[] = ['city_admin inside', 'district_admin inside', 'station_liaison inside'];
const ORGANISERS: Who[] = [...ADMINS_OVER, 'team_leader inside'];
const ORGANISERS_AND_SELF: Who[] = [...ORGANISERS, 'volunteer inside'];

const EXPECTED_ALLOWED: Record<string, Who[]> = {
  'POST /v1/dev/tokens': EVERYONE, // public, called without a token
  'GET /v1/org-units/{id}': EVERYONE,
  'GET /v1/org-units/{id}/children': EVERYONE,
  'GET /v1/org-units/{id}/teams': EVERYONE,
  'POST /v1/teams': ADMINS_OVER,
  'GET /v1/teams/{id}': EVERYONE,
  'POST /v1/teams/{id}/members': ORGANISERS,
  'POST /v1/volunteers': ADMINS_OVER,
  'GET /v1/volunteers/{id}': ORGANISERS_AND_SELF,
  'GET /v1/volunteers/{id}/hour-records': ORGANISERS_AND_SELF,
  'POST /v1/activities': ORGANISERS,
  'GET /v1/activities': EVERYONE,
  'GET /v1/activities/{id}': EVERYONE,
  'POST /v1/activities/{id}/publish': ORGANISERS,
  'POST /v1/activities/{id}/cancel': ORGANISERS,
  'POST /v1/activities/{id}/enrollments': ORGANISERS_AND_SELF,
  'DELETE /v1/activities/{id}/enrollments/{volunteerId}': ORGANISERS_AND_SELF,
  'POST /v1/activities/{id}/check-ins': ORGANISERS_AND_SELF,
  'POST /v1/activities/{id}/check-outs': ORGANISERS_AND_SELF,
  'POST /v1/hour-records': ORGANISERS, // back-fill: organisers only, never the volunteer
  'GET /v1/hour-records/{id}': ORGANISERS_AND_SELF,
  'GET /v1/rankings/volunteers': EVERYONE,
  'GET /v1/rankings/teams': EVERYONE,
  // Public: called without a token.
  'POST /v1/auth/wechat': EVERYONE,
  'POST /v1/auth/sms-codes': EVERYONE,
  'POST /v1/auth/sms': EVERYONE,
  'POST /v1/auth/refresh': EVERYONE,
  'POST /v1/auth/logout': EVERYONE,
  // Any signed-in caller; a grant that is not theirs is a 404, not a 403.
  'POST /v1/auth/switch': EVERYONE,
  // A team-leader grant for a futian team: admins over it (a station liaison may grant team leaders).
  'POST /v1/accounts': ADMINS_OVER,
  'GET /v1/accounts/{id}': ADMINS_OVER,
  'POST /v1/accounts/{id}/roles': ADMINS_OVER,
  // Revoking the resident grant at IN_ORG: a station liaison may only hand out (or take back) team leaders.
  'DELETE /v1/accounts/{id}/roles/{grantId}': ['city_admin inside', 'district_admin inside'],
  // Data-subject rights: everyone reads and exports what is held about themselves; a volunteer
  // asks about their own data (wherever they are); admins over the person's node decide.
  'GET /v1/me': EVERYONE,
  'GET /v1/me/export': EVERYONE,
  'POST /v1/me/correction-requests': ['volunteer inside', 'volunteer outside'],
  'POST /v1/me/deletion-request': ['volunteer inside', 'volunteer outside'],
  'GET /v1/org-units/{id}/correction-requests': ADMINS_OVER,
  'GET /v1/org-units/{id}/deletion-requests': ADMINS_OVER,
  'POST /v1/correction-requests/{id}/decide': ADMINS_OVER,
  'POST /v1/deletion-requests/{id}/decide': ADMINS_OVER,
  'GET /v1/audit': ADMINS_OVER,
  // Consent: admins over the person's node, and a volunteer for themselves.
  'POST /v1/consents': [...ADMINS_OVER, 'volunteer inside'],
  'POST /v1/consents/{id}/withdraw': [...ADMINS_OVER, 'volunteer inside'],
  'GET /v1/volunteers/{id}/consents': [...ADMINS_OVER, 'volunteer inside'],
  // Beneficiaries: only the admins who serve them (no team leaders, volunteers, assessors).
  'GET /v1/beneficiaries/{id}/consents': ADMINS_OVER,
  'POST /v1/beneficiaries': ADMINS_OVER,
  'GET /v1/beneficiaries/{id}': ADMINS_OVER,
  'PUT /v1/beneficiaries/{id}/sensitive-details': ADMINS_OVER,
  'GET /v1/org-units/{id}/beneficiaries': ADMINS_OVER,
};

/** Each route called with the futian world's records. */
type RequestParts = Pick<HttpEventInput, 'pathParameters' | 'query' | 'body'>;
const REQUESTS: Record<string, RequestParts> = {
  'POST /v1/dev/tokens': { body: { role: 'volunteer', subject: V_IN } },
  'GET /v1/org-units/{id}': { pathParameters: { id: 'futian' } },
  'GET /v1/org-units/{id}/children': { pathParameters: { id: 'futian' } },
  'GET /v1/org-units/{id}/teams': { pathParameters: { id: 'futian' } },
  'POST /v1/teams': { body: { name: '园岭应急救援队', orgUnitId: IN_ORG, specialty: 'emergency-rescue' } },
  'GET /v1/teams/{id}': { pathParameters: { id: T_IN } },
  'POST /v1/teams/{id}/members': { pathParameters: { id: T_IN }, body: { volunteerId: V_IN } },
  'POST /v1/volunteers': {
    body: { name: '赵新兵', phone: '13612345678', idNumber: '11010519491231002X', orgUnitId: IN_ORG, skills: [] },
  },
  'GET /v1/volunteers/{id}': { pathParameters: { id: V_IN } },
  'GET /v1/volunteers/{id}/hour-records': { pathParameters: { id: V_IN } },
  'POST /v1/activities': {
    body: {
      teamId: T_IN,
      title: '园岭敬老探访',
      category: 'holiday-visit',
      startsAt: isoIn(24 * HOUR),
      endsAt: isoIn(26 * HOUR),
      location: { name: '园岭社区' },
      capacity: 10,
    },
  },
  'GET /v1/activities': { query: { orgUnitId: 'futian' } },
  'GET /v1/activities/{id}': { pathParameters: { id: A_IN } },
  'POST /v1/activities/{id}/publish': { pathParameters: { id: A_IN } },
  'POST /v1/activities/{id}/cancel': { pathParameters: { id: A_IN } },
  'POST /v1/activities/{id}/enrollments': { pathParameters: { id: A_IN }, body: { volunteerId: V_IN } },
  'DELETE /v1/activities/{id}/enrollments/{volunteerId}': { pathParameters: { id: A_IN, volunteerId: V_IN } },
  'POST /v1/activities/{id}/check-ins': { pathParameters: { id: A_IN }, body: { volunteerId: V_IN } },
  'POST /v1/activities/{id}/check-outs': { pathParameters: { id: A_IN }, body: { volunteerId: V_IN } },
  'POST /v1/hour-records': {
    body: { volunteerId: V_IN, activityId: A_IN, startedAt: isoAgo(5 * 24 * HOUR), endedAt: isoAgo(5 * 24 * HOUR - 2 * HOUR), note: '补录' },
  },
  'GET /v1/hour-records/{id}': { pathParameters: { id: H_IN } },
  'GET /v1/rankings/volunteers': { query: { orgUnitId: 'futian' } },
  'GET /v1/rankings/teams': { query: { orgUnitId: 'futian' } },
  'POST /v1/auth/wechat': { body: { code: 'ok-matrix' } },
  'POST /v1/auth/sms-codes': { body: { phone: LOGIN_PHONE } },
  'POST /v1/auth/sms': { body: { phone: LOGIN_PHONE, code: LOGIN_CODE } },
  'POST /v1/auth/refresh': { body: { refreshToken: REFRESH_IN } },
  'POST /v1/auth/logout': { body: { refreshToken: REFRESH_IN } },
  'POST /v1/auth/switch': { body: { grantId: G_IN_RESIDENT } },
  'POST /v1/accounts': { body: { phone: '13655556666', role: 'team_leader', scope: T_IN } },
  'GET /v1/accounts/{id}': { pathParameters: { id: ACC_IN } },
  'POST /v1/accounts/{id}/roles': { pathParameters: { id: ACC_IN }, body: { role: 'team_leader', scope: T_IN } },
  'DELETE /v1/accounts/{id}/roles/{grantId}': { pathParameters: { id: ACC_IN, grantId: G_IN_RESIDENT } },
  'GET /v1/me': {},
  'GET /v1/me/export': {},
  'POST /v1/me/correction-requests': { body: { field: 'phone', proposedValue: '13822223333', reason: '换了手机号' } },
  'POST /v1/me/deletion-request': { body: { reason: '不再参加' } },
  'GET /v1/org-units/{id}/correction-requests': { pathParameters: { id: IN_ORG }, query: { status: 'pending' } },
  'GET /v1/org-units/{id}/deletion-requests': { pathParameters: { id: IN_ORG } },
  'POST /v1/correction-requests/{id}/decide': { pathParameters: { id: R_CORRECTION }, body: { decision: 'accept', note: '已核实' } },
  'POST /v1/deletion-requests/{id}/decide': { pathParameters: { id: R_DELETION }, body: { decision: 'accept' } },
  'GET /v1/audit': { query: { orgUnitId: IN_ORG } },
  'POST /v1/consents': {
    body: { subjectType: 'volunteer', subjectId: V_IN, purpose: 'registration', policyVersion: '2025-01', granted: true, documentRef: 'YL-2025-001' },
  },
  'POST /v1/consents/{id}/withdraw': { pathParameters: { id: C_IN } },
  'GET /v1/volunteers/{id}/consents': { pathParameters: { id: V_IN } },
  'GET /v1/beneficiaries/{id}/consents': { pathParameters: { id: B_IN } },
  'POST /v1/beneficiaries': { body: { name: '陈秀英', phone: '13344446666', orgUnitId: IN_ORG, careCategories: ['elderly-alone', 'hardship'] } },
  'GET /v1/beneficiaries/{id}': { pathParameters: { id: B_IN } },
  'PUT /v1/beneficiaries/{id}/sensitive-details': { pathParameters: { id: B_IN }, body: { health: '高血压，行动不便' } },
  'GET /v1/org-units/{id}/beneficiaries': { pathParameters: { id: IN_ORG } },
};

// ---------------------------------------------------------------------------------------------
// Calling a route.

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const handlers = new Map<string, Handler>();
const handlerOf = async (route: HttpFunction): Promise<Handler> => {
  let handler = handlers.get(route.entry);
  if (!handler) {
    handler = ((await import(resolve(ROOT, route.entry))) as { handler: Handler }).handler;
    handlers.set(route.entry, handler);
  }
  return handler;
};

const routeKeyOf = (route: Pick<HttpFunction, 'method' | 'path'>) => `${route.method} ${route.path}`;

const concretePath = (path: string, params: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);

const call = async (route: HttpFunction, parts: RequestParts, principal?: Principal): Promise<ParsedResponse> => {
  const handler = await handlerOf(route);
  return invokeHttp(
    handler,
    httpEvent({
      method: route.method,
      path: concretePath(route.path, parts.pathParameters),
      routeKey: routeKeyOf(route),
      ...parts,
      token: principal ? await tokenFor(principal) : undefined,
    }),
  );
};

/** Everything a 403 must not mention: record data and ids of the world (those in the request excepted). */
const SECRETS = [
  V_IN,
  V_OUT,
  T_IN,
  T_OUT,
  A_IN,
  A_OUT,
  H_IN,
  H_OUT,
  ...[PERSON_IN, PERSON_OUT].flatMap((p) => [p.name, p.phone, maskPhone(p.phone), p.idNumber, maskResidentId(p.idNumber), p.volunteerNumber]),
  TEAM_IN_NAME,
  TEAM_OUT_NAME,
  ACT_IN_TITLE,
  ACT_OUT_TITLE,
  LEADER_OUT_SUBJECT,
  'u-leader-futian',
];

const expectBareForbidden = (res: ParsedResponse, request: unknown) => {
  expect(res.statusCode).toBe(403);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.body.status).toBe(403);
  expect(Object.keys(res.body).sort()).toEqual(['detail', 'status', 'title', 'type']);
  const sent = JSON.stringify(request);
  for (const secret of SECRETS) {
    if (sent.includes(secret)) continue;
    expect(res.raw, `403 body mentions ${secret}`).not.toContain(secret);
  }
};

const PUBLIC_ROUTES = new Set(['POST /v1/auth/wechat', 'POST /v1/auth/sms-codes', 'POST /v1/auth/sms', 'POST /v1/auth/refresh', 'POST /v1/auth/logout']);

/** The identity part of the world: it needs the keyed phone hash, which is asynchronous. */
const identityWorld = async (): Promise<Item[]> => {
  const grant = (id: string, role: string, scope: string) => ({
    ...keys.accountGrant(ACC_IN, id),
    type: 'Grant',
    accountId: ACC_IN,
    id,
    role,
    scope,
    orgUnitId: IN_ORG,
    grantedAt: '2024-01-01T00:00:00.000Z',
    grantedBy: 'u-city',
  });
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  return [
    { ...keys.account(ACC_IN), type: 'Account', id: ACC_IN, phone: '13511112222', grantsVersion: 2, createdAt: '2024-01-01T00:00:00.000Z', createdBy: 'u-city' },
    grant(G_IN_LIAISON, 'station_liaison', IN_ORG),
    grant(G_IN_RESIDENT, 'beneficiary', IN_ORG),
    { ...keys.refreshFamily(FAMILY_IN), type: 'RefreshFamily', familyId: FAMILY_IN, accountId: ACC_IN, grantId: G_IN_LIAISON, revoked: false, createdAt: '2024-01-01T00:00:00.000Z', expiresAt },
    { ...keys.refreshToken(sha(REFRESH_IN)), type: 'RefreshToken', familyId: FAMILY_IN, status: 'active', expiresAt },
    { ...keys.smsCode(await keyedHash('phone', LOGIN_PHONE)), type: 'LoginCode', salt: 's', codeHash: sha(`s:${LOGIN_CODE}`), attempts: 0, expiresAt },
  ];
};

beforeAll(async () => {
  WORLD.push(...(await identityWorld()));
  // WeChat's code2session, for the WeChat login route.
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ openid: 'o-matrix-openid', session_key: 'k' }), { status: 200 }));
});

beforeEach(() => {
  resetMocks();
  installWorld();
});

// ---------------------------------------------------------------------------------------------
// The matrix.

const ROUTES = httpFunctions();

describe('every route has a row', () => {
  it('the expected table and the request table cover exactly the routes in httpFunctions()', () => {
    const declared = ROUTES.map(routeKeyOf).sort();
    expect(Object.keys(EXPECTED_ALLOWED).sort()).toEqual(declared);
    expect(Object.keys(REQUESTS).sort()).toEqual(declared);
  });
});

describe('authorization matrix', () => {
  for (const route of ROUTES) {
    const key = routeKeyOf(route);
    const expected = EXPECTED_ALLOWED[key];
    const parts = REQUESTS[key];
    if (!expected || !parts) {
      it(`${key} has an expected row and a request`, () => {
        expect.fail(`route ${key} is not covered by the authorization matrix: add it to EXPECTED_ALLOWED and REQUESTS`);
      });
      continue;
    }
    const isDevTokens = key === 'POST /v1/dev/tokens';
    const isPublic = isDevTokens || PUBLIC_ROUTES.has(key);
    for (const { role, side, principal } of CASES) {
      const allowed = expected.includes(`${role} ${side}`);
      it(`${role} ${side} ${allowed ? 'may' : 'may not'} ${key}`, async () => {
        // The dev-token route needs no token; it is asked for a token of this role.
        const request = isDevTokens ? { ...parts, body: { role, ...(principal.scope ? { scope: principal.scope } : {}) } } : parts;
        const res = await call(route, request, isPublic ? undefined : principal);
        if (allowed) {
          expect([401, 403], `status ${res.statusCode}: ${res.raw}`).not.toContain(res.statusCode);
          // The world is complete enough that an allowed call never crashes.
          expect(res.statusCode, res.raw).toBeLessThan(500);
        } else {
          expectBareForbidden(res, request);
          expect(writesMade(), 'a refused request wrote something').toBe(0);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Beyond the matrix: filters and direct ids outside the caller's district.

const futianAdmin = PRINCIPALS.inside.district_admin!;
const routeFor = (key: string) => {
  const route = ROUTES.find((r) => routeKeyOf(r) === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
};

/** The activity contract (shared/data/activities.ts Activity), plus the update stamp. */
const PUBLIC_ACTIVITY_FIELDS = new Set([
  'id',
  'teamId',
  'orgUnitId',
  'title',
  'category',
  'description',
  'startsAt',
  'endsAt',
  'location',
  'capacity',
  'enrolledCount',
  'waitlistCount',
  'status',
  'createdAt',
  'createdBy',
  'updatedAt',
]);

describe('outside the caller’s district', () => {
  it('district_admin inside may GET /v1/activities?orgUnitId=luohu but sees only public activity data', async () => {
    const res = await call(routeFor('GET /v1/activities'), { query: { orgUnitId: 'luohu' } }, futianAdmin);
    expect(res.statusCode).toBe(200);
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual([A_OUT]);
    for (const item of res.body.items as Record<string, unknown>[]) {
      expect(Object.keys(item).filter((k) => !PUBLIC_ACTIVITY_FIELDS.has(k))).toEqual([]);
    }
    for (const secret of [V_OUT, H_OUT, PERSON_OUT.name, PERSON_OUT.phone, PERSON_OUT.idNumber, PERSON_OUT.volunteerNumber]) {
      expect(res.raw).not.toContain(secret);
    }
    // No key or index attributes leave the data layer.
    expect(res.raw).not.toMatch(/"(pk|sk|gsi1pk|gsi1sk|type|\w+Pk|\w+Sk)"/);
  });

  const direct: Array<{ key: string; parts: RequestParts }> = [
    { key: 'GET /v1/volunteers/{id}', parts: { pathParameters: { id: V_OUT } } },
    { key: 'GET /v1/volunteers/{id}/hour-records', parts: { pathParameters: { id: V_OUT } } },
    { key: 'GET /v1/hour-records/{id}', parts: { pathParameters: { id: H_OUT } } },
  ];
  for (const { key, parts } of direct) {
    it(`district_admin inside may not ${key} for a luohu record (${parts.pathParameters!.id === V_OUT ? 'V_OUT' : 'H_OUT'})`, async () => {
      const res = await call(routeFor(key), parts, futianAdmin);
      expectBareForbidden(res, parts);
    });
  }
});
