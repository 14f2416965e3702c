/**
 * A small client for the integration tests in this folder: talks to the local runtime over HTTP
 * exactly as the mini-program does (JSON bodies, bearer tokens), plus a few direct SQS and
 * DynamoDB helpers for the asynchronous parts. Nothing here imports handler code.
 */
import { inject } from 'vitest';
import { randomInt } from 'node:crypto';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { residentIdCheckChar } from '../../../shared/domain/identity.js';

export const rt = inject('runtime');

// ---- HTTP -------------------------------------------------------------------------------

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  /** Parsed JSON when the body is JSON, else the raw text (undefined when empty). */
  body: T;
  text: string;
}

export interface ApiInit {
  method?: string;
  token?: string;
  /** Objects are JSON-encoded; use `rawBody` to send a body as it is. */
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** Milliseconds before the request is aborted. */
  timeoutMs?: number;
}

export const api = async <T = any>(path: string, init: ApiInit = {}): Promise<ApiResponse<T>> => {
  const headers: Record<string, string> = { 'accept-language': 'en', ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | Uint8Array | undefined;
  if (init.rawBody !== undefined) body = typeof init.rawBody === 'string' ? init.rawBody : new Uint8Array(init.rawBody);
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${rt.apiUrl}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body: body as BodyInit | undefined,
    signal: AbortSignal.timeout(init.timeoutMs ?? 20_000),
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let parsed: unknown = text === '' ? undefined : text;
  if (text !== '' && /json/.test(contentType)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, contentType, body: parsed as T, text };
};

/** Throws with the response in the message unless the status is the expected one. */
export const expectStatus = <T = any>(res: ApiResponse<T>, status: number, what = ''): T => {
  if (res.status !== status) {
    throw new Error(`${what ? `${what}: ` : ''}expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  }
  return res.body;
};

// ---- tokens -----------------------------------------------------------------------------

export type Role = 'city_admin' | 'district_admin' | 'station_liaison' | 'team_leader' | 'volunteer' | 'beneficiary' | 'assessor';

const tokenCache = new Map<string, Promise<string>>();

export const tokenFor = (role: Role, opts: { scope?: string; subject?: string } = {}): Promise<string> => {
  const key = JSON.stringify([role, opts.scope, opts.subject]);
  let pending = tokenCache.get(key);
  if (!pending) {
    pending = api<{ token: string }>('/v1/dev/tokens', { body: { role, ...opts } }).then((res) => expectStatus(res, 201, `token for ${role}`).token);
    tokenCache.set(key, pending);
    pending.catch(() => tokenCache.delete(key));
  }
  return pending;
};

export const cityAdmin = () => tokenFor('city_admin');
export const volunteerToken = (volunteerId: string) => tokenFor('volunteer', { subject: volunteerId });
export const leaderToken = (teamId: string) => tokenFor('team_leader', { scope: teamId });

// ---- unique identities ------------------------------------------------------------------

// Birth dates 1950-01-01 … 1999-12-28 (day ≤ 28 so every date exists) × 1000 sequence numbers;
// each test file starts at a random point and counts up, so numbers never repeat inside a file
// and files almost never meet.
const DATES = 50 * 12 * 28;
let idCursor = randomInt(0, DATES * 1000);
export const uniqueResidentId = () => {
  const n = idCursor++ % (DATES * 1000);
  const seq = n % 1000;
  const d = Math.floor(n / 1000);
  const year = 1950 + Math.floor(d / (12 * 28));
  const month = 1 + (Math.floor(d / 28) % 12);
  const day = 1 + (d % 28);
  const first17 = `440304${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
};

let phoneCursor = randomInt(0, 100_000_000);
export const uniquePhone = () => `139${String(phoneCursor++ % 100_000_000).padStart(8, '0')}`;

let nameCursor = 0;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴'];
const GIVEN = ['建国', '卫东', '志强', '红军', '海涛', '国庆', '立新', '振华'];
export const uniqueName = () => {
  const n = nameCursor++;
  return `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}`;
};

// ---- resources --------------------------------------------------------------------------

export interface Team {
  id: string;
  name: string;
  orgUnitId: string;
  [k: string]: unknown;
}
export interface Volunteer {
  id: string;
  name: string;
  orgUnitId: string;
  [k: string]: unknown;
}
export interface Activity {
  id: string;
  teamId: string;
  orgUnitId: string;
  status: 'draft' | 'published' | 'cancelled';
  startsAt: string;
  endsAt: string;
  capacity: number;
  enrolledCount: number;
  waitlistCount?: number;
  [k: string]: unknown;
}
export interface HourRecord {
  id: string;
  volunteerId: string;
  activityId: string;
  startedAt: string;
  endedAt: string;
  minutes: number;
  status: 'pending' | 'verified' | 'rejected';
  reason?: string;
  [k: string]: unknown;
}

let teamCursor = 0;
export const createTeam = async (token: string, orgUnitId: string, name?: string): Promise<Team> =>
  expectStatus(
    await api<Team>('/v1/teams', {
      token,
      body: { name: name ?? `老兵服务队${Date.now() % 100000}-${teamCursor++}`, orgUnitId, specialty: 'general' },
    }),
    201,
    'create team',
  );

export const createVolunteer = async (token: string, orgUnitId: string, extra: Record<string, unknown> = {}): Promise<Volunteer> =>
  expectStatus(
    await api<Volunteer>('/v1/volunteers', {
      token,
      body: {
        name: uniqueName(),
        phone: uniquePhone(),
        idNumber: uniqueResidentId(),
        orgUnitId,
        veteran: { branch: '陆军', dischargeYear: 2010, partyMember: true },
        skills: ['patrol'],
        ...extra,
      },
    }),
    201,
    'create volunteer',
  );

export const addMember = async (token: string, teamId: string, volunteerId: string, role: 'member' | 'leader' = 'member') =>
  expectStatus(await api(`/v1/teams/${teamId}/members`, { token, body: { volunteerId, role } }), 201, 'add member');

export const createActivity = async (
  token: string,
  input: { teamId: string; startsAt: Date | string; endsAt: Date | string; capacity: number; title?: string; category?: string },
): Promise<Activity> =>
  expectStatus(
    await api<Activity>('/v1/activities', {
      token,
      body: {
        teamId: input.teamId,
        title: input.title ?? '社区巡逻服务',
        category: input.category ?? 'patrol',
        startsAt: typeof input.startsAt === 'string' ? input.startsAt : input.startsAt.toISOString(),
        endsAt: typeof input.endsAt === 'string' ? input.endsAt : input.endsAt.toISOString(),
        location: { name: '园岭街道党群服务中心', lat: 22.55, lng: 114.1 },
        capacity: input.capacity,
      },
    }),
    201,
    'create activity',
  );

export const publish = async (token: string, activityId: string) =>
  expectStatus(await api<Activity>(`/v1/activities/${activityId}/publish`, { token, method: 'POST' }), 200, 'publish');

export const getRecord = async (token: string, id: string) =>
  expectStatus(await api<HourRecord>(`/v1/hour-records/${id}`, { token }), 200, 'get hour record');

/** Polls the record until it is no longer pending. */
export const decided = (token: string, id: string, timeoutMs = 20_000) =>
  eventually(
    async () => {
      const record = await getRecord(token, id);
      if (record.status === 'pending') throw new Error(`hour record ${id} is still pending`);
      return record;
    },
    { timeoutMs },
  );

export const minutesAgo = (m: number, from = Date.now()) => new Date(from - m * 60_000);

// ---- waiting ----------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it returns without throwing (assertions included) or the time is up; then
 * rethrows the last failure. Bounded: never waits longer than `timeoutMs` plus one attempt.
 */
export const eventually = async <T>(fn: () => Promise<T> | T, { timeoutMs = 15_000, intervalMs = 200 } = {}): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs * (attempt < 5 ? 1 : 2), Math.max(0, deadline - Date.now())));
  }
  const error = last instanceof Error ? last : new Error(String(last));
  error.message = `eventually() gave up after ${timeoutMs} ms: ${error.message}`;
  throw error;
};

/** Runs `fn` over `items` with at most `width` calls in flight. */
export const inBatches = async <I, O>(items: I[], width: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> => {
  const out: O[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
};

// ---- SQS and DynamoDB -------------------------------------------------------------------

export const sqsClient = () =>
  new SQSClient({ endpoint: rt.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

/** Visible plus in-flight messages. */
export const queueDepth = async (sqs: SQSClient, url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
};

/** Waits until the queue has been empty on two consecutive looks (consumer done, message deleted). */
export const drained = async (sqs: SQSClient, url: string, timeoutMs = 30_000) => {
  let emptyLooks = 0;
  await eventually(
    async () => {
      const depth = await queueDepth(sqs, url);
      emptyLooks = depth === 0 ? emptyLooks + 1 : 0;
      if (emptyLooks < 2) throw new Error(`queue ${url.split('/').pop()} still holds ${depth} message(s)`);
    },
    { timeoutMs, intervalMs: 250 },
  );
};

export const dynamo = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: rt.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

export const tableName = () => rt.env.TABLE_NAME;
