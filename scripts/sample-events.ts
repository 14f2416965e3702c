/**
 * Writes events/<function>.json: a sample trigger event for every declared function, in the
 * shape AWS delivers it (API Gateway HTTP API payload 2.0, SQS batch, EventBridge Scheduler).
 * Run again after adding a function: `npx tsx scripts/sample-events.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { FUNCTIONS, QUEUES, type FunctionDeclaration } from '../shared/functions.js';

const ID = '01JD0000000000000000000000';
const SAMPLE_PARAMS: Record<string, string> = { id: ID, volunteerId: '01JD0000000000000000000001', grantId: '01JD0000000000000000000002' };
const SAMPLE_BODIES: Record<string, unknown> = {
  'dev-create-token': { role: 'city_admin' },
  'teams-create': { name: '园岭红星志愿服务队', orgUnitId: 'futian.yuanling', specialty: 'general' },
  'teams-add-member': { volunteerId: SAMPLE_PARAMS.volunteerId, role: 'member' },
  'volunteers-create': { name: '张建国', phone: '13800138000', idNumber: '11010519491231002X', orgUnitId: 'futian.yuanling', veteran: { branch: '陆军', dischargeYear: 1975, partyMember: true } },
  'activities-create': { teamId: ID, title: '重阳节走访慰问', category: 'holiday-visit', startsAt: '2026-10-29T09:00:00+08:00', endsAt: '2026-10-29T12:00:00+08:00', location: { name: '园岭街道退役军人服务站' }, capacity: 20 },
  'enrollments-create': { volunteerId: SAMPLE_PARAMS.volunteerId },
  'attendance-check-in': { volunteerId: SAMPLE_PARAMS.volunteerId, lat: 22.55, lng: 114.1 },
  'attendance-check-out': { volunteerId: SAMPLE_PARAMS.volunteerId, lat: 22.55, lng: 114.1 },
  'auth-wechat': { code: 'ok-sample' },
  'auth-sms-codes': { phone: '13800138000' },
  'auth-sms': { phone: '13800138000', code: '123456' },
  'auth-refresh': { refreshToken: `${ID}.${'A'.repeat(43)}` },
  'auth-logout': { refreshToken: `${ID}.${'A'.repeat(43)}` },
  'auth-switch': { grantId: SAMPLE_PARAMS.grantId },
  'accounts-create': { phone: '13800138000', role: 'station_liaison', scope: 'futian.yuanling' },
  'accounts-grant-role': { role: 'team_leader', scope: ID },
  'hour-records-back-fill': { volunteerId: SAMPLE_PARAMS.volunteerId, activityId: ID, startedAt: '2026-10-29T09:00:00+08:00', endedAt: '2026-10-29T11:30:00+08:00' },
  'consents-create': { subjectType: 'volunteer', subjectId: SAMPLE_PARAMS.volunteerId, purpose: 'public-name', policyVersion: '2025-01', granted: true, documentRef: 'YL-2025-0001' },
  'beneficiaries-create': {
    name: '陈秀英',
    phone: '13800138001',
    orgUnitId: 'futian.yuanling',
    careCategories: ['elderly-alone', 'martyr-family'],
    sensitive: { health: '高血压，需定期上门测量' },
    consents: [
      { purpose: 'registration', policyVersion: '2025-01', documentRef: 'YL-2025-0002' },
      { purpose: 'sensitive-details', policyVersion: '2025-01', documentRef: 'YL-2025-0002' },
    ],
  },
  'correction-requests-create': { field: 'phone', proposedValue: '13800138002', reason: '已更换手机号' },
  'deletion-requests-create': { reason: '不再参加志愿服务' },
  'correction-requests-decide': { decision: 'accept', note: '已电话核实' },
  'deletion-requests-decide': { decision: 'accept' },
  'beneficiaries-set-sensitive-details': { health: '高血压，需定期上门测量', hardship: '独居，低保' },
};

const eventFor = (f: FunctionDeclaration) => {
  if (f.kind === 'http') {
    const names = [...f.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const pathParameters = Object.fromEntries(names.map((n) => [n, n === 'id' && f.path.startsWith('/v1/org-units') ? 'futian' : SAMPLE_PARAMS[n]]));
    const rawPath = f.path.replace(/\{(\w+)\}/g, (_, n: string) => pathParameters[n]);
    const body = SAMPLE_BODIES[f.name];
    return {
      version: '2.0',
      routeKey: `${f.method} ${f.path}`,
      rawPath,
      rawQueryString: f.method === 'GET' && names.length === 0 ? 'orgUnitId=futian&limit=20' : '',
      headers: { authorization: 'Bearer <token from POST /v1/dev/tokens>', 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      ...(f.method === 'GET' && names.length === 0 ? { queryStringParameters: { orgUnitId: 'futian', limit: '20' } } : {}),
      ...(names.length ? { pathParameters } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1',
        http: { method: f.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'sample' },
        requestId: 'sample',
        routeKey: `${f.method} ${f.path}`,
        stage: '$default',
        time: '29/Oct/2026:09:00:00 +0000',
        timeEpoch: 1793264400000,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      isBase64Encoded: false,
    };
  }
  if (f.kind === 'queue') {
    return {
      Records: [
        {
          messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
          receiptHandle: 'sample',
          body: JSON.stringify({ hourRecordId: ID }),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1793264400000', SenderId: 'sample', ApproximateFirstReceiveTimestamp: '1793264400000' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${QUEUES[f.queue].name}`,
          awsRegion: 'us-east-1',
        },
      ],
    };
  }
  return { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: '2026-10-29T01:00:00Z', detail: {} };
};

mkdirSync('events', { recursive: true });
for (const f of FUNCTIONS) writeFileSync(`events/${f.name}.json`, `${JSON.stringify(eventFor(f), null, 2)}\n`);
console.log(`wrote ${FUNCTIONS.length} sample events to events/`);
