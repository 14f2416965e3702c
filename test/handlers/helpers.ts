/**
 * Shared scaffolding for handler tests: environment, SDK mocks, hand-built API Gateway HTTP API
 * (payload 2.0) and SQS events, tokens, and DynamoDB items shaped like the data layer writes them.
 */
import './env.js';
import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KmsClient } from '../../shared/aws/kms.js';
import { SqsClient } from '../../shared/aws/sqs.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSEvent } from 'aws-lambda';
import { awsError, mockClient } from '../aws-mock.js';
import { ulid } from 'ulid';
import { signToken } from '../../shared/auth/tokens.js';
import type { Principal } from '../../shared/domain/access.js';
import { db } from '../../shared/data/client.js';
import { keys } from '../../shared/data/keys.js';
import { maskResidentId } from '../../shared/domain/identity.js';
import { PII_KEY_ID } from './env.js';

export * from './env.js';

export const ddb = mockClient(db);
export const sqs = mockClient(SqsClient);
export const kms = mockClient(KmsClient);

/**
 * A KMS stand-in: GenerateDataKey hands out random data keys with an opaque blob, Decrypt gives
 * a key back only for a blob it issued, the same key id and the same encryption context (as KMS
 * does). Issued keys survive resets, so items sealed earlier in a file can still be opened.
 */
const issuedDataKeys = new Map<string, { plaintext: Buffer; keyId: string; context: string }>();
const contextOf = (context: Record<string, string> | undefined) => JSON.stringify(Object.entries(context ?? {}).sort());
const installFakeKms = () => {
  kms.on(GenerateDataKeyCommand).callsFake((input) => {
    const plaintext = randomBytes(32);
    const blob = randomBytes(64);
    issuedDataKeys.set(blob.toString('base64'), { plaintext, keyId: input.KeyId, context: contextOf(input.EncryptionContext) });
    // Copies: the caller zeroes its plaintext after use.
    return { KeyId: input.KeyId, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob) };
  });
  kms.on(DecryptCommand).callsFake((input) => {
    const issued = issuedDataKeys.get(Buffer.from(input.CiphertextBlob).toString('base64'));
    if (!issued || issued.keyId !== input.KeyId || issued.context !== contextOf(input.EncryptionContext)) {
      throw awsError('InvalidCiphertextException', 'Invalid ciphertext');
    }
    return { KeyId: PII_KEY_ID, Plaintext: new Uint8Array(issued.plaintext) };
  });
};

export const resetMocks = () => {
  ddb.reset();
  sqs.reset();
  kms.reset();
  installFakeKms();
};

export const newId = () => ulid();

export const tokenFor = (principal: Principal, expiresIn?: string) => signToken(principal, expiresIn);

export interface HttpEventInput {
  method: string;
  path: string;
  /** Defaults to `${method} ${path}`; pass the declared route (`GET /v1/volunteers/{id}`). */
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** Objects are JSON-encoded; strings are sent as they are. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export const httpEvent = ({ method, path, routeKey, pathParameters, query, body, token, headers = {} }: HttpEventInput): APIGatewayProxyEventV2 => {
  const allHeaders: Record<string, string> = {
    host: 'api.test',
    'user-agent': 'vitest',
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  // HTTP APIs deliver header names in lower case.
  for (const [name, value] of Object.entries(headers)) allHeaders[name.toLowerCase()] = value;
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey ?? `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers: allHeaders,
    ...(query ? { queryStringParameters: query } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: newId(),
      routeKey: routeKey ?? `${method} ${path}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
};

export const lambdaContext = (name = 'test-function'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  memoryLimitInMB: '128',
  awsRequestId: newId(),
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, string | number | boolean>;
  body: any;
  raw: string | undefined;
}

/** Calls an HTTP handler and parses its JSON body. */
export const invokeHttp = async (
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>,
  event: APIGatewayProxyEventV2,
): Promise<ParsedResponse> => {
  const res = await handler(event, lambdaContext());
  return {
    statusCode: res.statusCode ?? 0,
    headers: (res.headers ?? {}) as Record<string, string>,
    body: res.body ? JSON.parse(res.body) : undefined,
    raw: res.body,
  };
};

export const sqsEvent = (records: Array<{ messageId?: string; body: string }>): SQSEvent => ({
  Records: records.map(({ messageId = newId(), body }) => ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: `${Date.now()}`,
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: `${Date.now()}`,
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:queue',
    awsRegion: 'us-east-1',
  })),
});

/** A cancelled transaction with one reason per item, e.g. cancelled('None', 'ConditionalCheckFailed'). */
export const cancelled = (...codes: string[]) =>
  awsError('TransactionCanceledException', 'Transaction cancelled', { CancellationReasons: codes.map((Code) => ({ Code })) });

export const conditionFailed = () => awsError('ConditionalCheckFailedException', 'The conditional request failed');

// ---------------------------------------------------------------------------------------------
// Items as they sit in the table.

const HOUR = 3_600_000;
export const isoAgo = (ms: number, from = Date.now()) => new Date(from - ms).toISOString();
export const isoIn = (ms: number, from = Date.now()) => new Date(from + ms).toISOString();
export { HOUR };

/** A valid resident identity number (the GB 11643 example) and a mobile number. */
export const VALID_ID_NUMBER = '11010519491231002X';
export const VALID_PHONE = '13812341234';

/**
 * A volunteer item as stored today, minus the sealed identity number (only `idNumberMasked`):
 * enough for every read that does not reveal it. `idNumber` in `over` sets the masked form.
 * Tests of the reveal store what the create handler wrote (test/handlers/volunteers.test.ts).
 */
export const volunteerItem = ({ idNumber = VALID_ID_NUMBER, ...over }: Partial<Record<string, unknown>> & { id: string }) => ({
  ...keys.volunteer(over.id),
  type: 'Volunteer',
  volunteerNumber: 'SZV00000001',
  name: '张建国',
  phone: VALID_PHONE,
  idNumberMasked: maskResidentId(String(idNumber)),
  orgUnitId: 'futian.yuanling',
  skills: [],
  registeredAt: '2020-01-01T00:00:00.000Z',
  ...over,
});

export const teamItem = (over: Partial<Record<string, unknown>> & { id: string }) => ({
  ...keys.team(over.id),
  type: 'Team',
  name: '园岭退役军人志愿服务队',
  orgUnitId: 'futian.yuanling',
  specialty: 'general',
  memberCount: 3,
  createdAt: '2024-01-01T00:00:00.000Z',
  ...over,
});

export const activityItem = (over: Partial<Record<string, unknown>> & { id: string; teamId: string }) => ({
  ...keys.activity(over.id),
  type: 'Activity',
  orgUnitId: 'futian.yuanling',
  title: '社区巡逻',
  category: 'patrol',
  startsAt: isoAgo(1 * HOUR),
  endsAt: isoIn(2 * HOUR),
  location: { name: '园岭社区党群服务中心' },
  capacity: 10,
  enrolledCount: 1,
  waitlistCount: 0,
  status: 'published',
  createdAt: '2024-01-01T00:00:00.000Z',
  createdBy: 'organiser',
  ...over,
});

export const hourRecordItem = (
  over: Partial<Record<string, unknown>> & { id: string; volunteerId: string; activityId: string; startedAt: string; endedAt: string },
) => ({
  ...keys.hourRecord(over.id),
  ...keys.volunteerHoursIndex(over.volunteerId, over.startedAt, over.id),
  type: 'HourRecord',
  volunteerName: '张建国',
  volunteerOrgUnitId: 'futian.yuanling',
  activityTitle: '社区巡逻',
  teamId: newId(),
  teamName: '园岭退役军人志愿服务队',
  orgUnitId: 'futian.yuanling',
  minutes: 0,
  status: 'pending',
  source: 'check-out',
  createdAt: over.endedAt,
  createdBy: 'someone',
  ...over,
});
