/**
 * The local runtime behaves like the AWS pieces it stands in for: API Gateway's payload 2.0
 * events and error answers, and Lambda's SQS event-source mapping with partial batch failures
 * and a dead-letter queue. Runs DynamoDB Local (Java 17+) and the SQS emulator in memory, on
 * random ports, with fixture handlers.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, type FunctionDeclaration } from '../../shared/functions.js';
import { TABLE } from '../../shared/table.js';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.js';
import { fixtureState } from './fixtures/state.js';

const fixture = (name: string) => `test/integration/fixtures/${name}.ts`;
const access = {};
const FIXTURES: FunctionDeclaration[] = [
  { kind: 'http', name: 'echo', entry: fixture('echo'), method: 'GET', path: '/v1/echo/{name}/items/{itemId}', access },
  { kind: 'http', name: 'echo-post', entry: fixture('echo'), method: 'POST', path: '/v1/echo', access },
  { kind: 'http', name: 'echo-one', entry: fixture('echo'), method: 'GET', path: '/v1/echo/{name}', access },
  { kind: 'http', name: 'plain', entry: fixture('plain'), method: 'GET', path: '/v1/echo/special', access },
  { kind: 'http', name: 'throws', entry: fixture('throws'), method: 'GET', path: '/v1/throws', access },
  { kind: 'http', name: 'missing', entry: fixture('not-written-yet'), method: 'GET', path: '/v1/missing', access },
  {
    kind: 'queue',
    name: 'consumer',
    entry: fixture('consumer'),
    queue: 'hourVerification',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 5,
    access,
  },
  { kind: 'schedule', name: 'tick', entry: fixture('scheduled'), cron: '0 9 * * *', timezone: 'Asia/Shanghai', access },
];

let runtime: LocalRuntime;
let sqs: SQSClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    port: 0,
    dynamoPort: 0,
    sqsPort: 0,
    inMemory: true,
    seed: false,
    scheduler: false,
    quiet: true,
    functions: FIXTURES,
    // Redelivery after one second, so maxReceiveCount receives take seconds.
    visibilityTimeoutSeconds: 1,
  });
  sqs = new SQSClient({ endpoint: runtime.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
}, 30_000);

const api = (path: string, init?: RequestInit) => fetch(`${runtime.apiUrl}${path}`, init);

describe('local runtime environment', () => {
  it('gives handlers the variables the stack gives them in AWS', () => {
    expect(process.env.TABLE_NAME).toBe(TABLE.localName);
    expect(process.env.REDSTAR_RUNTIME).toBe('local');
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(runtime.dynamoEndpoint);
    // The SDK sends to the QueueUrl's host when it differs from the endpoint: they must agree.
    expect(new URL(runtime.queueUrls.hourVerification).origin).toBe(process.env.AWS_ENDPOINT_URL_SQS);
    expect(process.env[QUEUES.hourVerification.urlEnv]).toBe(runtime.queueUrls.hourVerification);
    expect(process.env[QUEUES.awardTally.urlEnv]).toBe(runtime.queueUrls.awardTally);
    expect(Buffer.from(process.env.JWT_SECRET ?? '', 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(runtime.env.TABLE_NAME).toBe(TABLE.localName);
  });
});

describe('local gateway', () => {
  it('hands the handler a payload 2.0 event with decoded path parameters and comma-joined query', async () => {
    const res = await api('/v1/echo/hello%20world/items/42?tag=a&tag=b&q=x%20y&flag', {
      headers: { 'X-Trace-Id': 't-1', Cookie: 'c1=v1; c2=v2', 'User-Agent': 'runtime-test' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fixture')).toBe('echo');
    expect(res.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    const event = (await res.json()) as APIGatewayProxyEventV2;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/echo/{name}/items/{itemId}',
      rawPath: '/v1/echo/hello%20world/items/42',
      rawQueryString: 'tag=a&tag=b&q=x%20y&flag',
      queryStringParameters: { tag: 'a,b', q: 'x y', flag: '' },
      pathParameters: { name: 'hello world', itemId: '42' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/v1/echo/hello%20world/items/42', protocol: 'HTTP/1.1', userAgent: 'runtime-test' },
        routeKey: 'GET /v1/echo/{name}/items/{itemId}',
        stage: '$default',
      },
    });
    expect(event.headers['x-trace-id']).toBe('t-1');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/\S{8,}/);
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
  });

  it('passes text bodies as strings and binary bodies base64-encoded', async () => {
    const json = (await (
      await api('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"名字":"红星"}' })
    ).json()) as APIGatewayProxyEventV2;
    expect(json).toMatchObject({ body: '{"名字":"红星"}', isBase64Encoded: false, routeKey: 'POST /v1/echo' });
    expect(json.pathParameters).toBeUndefined();

    const bytes = Buffer.from([0, 255, 1, 254, 2]);
    const binary = (await (
      await api('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })
    ).json()) as APIGatewayProxyEventV2;
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes);
  });

  it('prefers a literal route over a parameter, and answers a result without statusCode as 200 JSON', async () => {
    const res = await api('/v1/echo/special');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ plain: true });
    const other = (await (await api('/v1/echo/ordinary')).json()) as APIGatewayProxyEventV2;
    expect(other.pathParameters).toEqual({ name: 'ordinary' });
  });

  it('answers an unknown route, or a known path with another method, with a 404 problem', async () => {
    for (const res of [await api('/v1/nothing-here'), await api('/v1/echo/special', { method: 'DELETE' })]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = await res.json();
      expect(problem).toMatchObject({ status: 404, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    }
    const english = await (await api('/v1/nothing-here', { headers: { 'accept-language': 'en' } })).json();
    expect(english.detail).toBe('No route matches GET /v1/nothing-here');
  });

  it('rejects a body over 1 MiB with a 413 problem and accepts one of exactly 1 MiB', async () => {
    const tooLarge = await api('/v1/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toBe('application/problem+json');
    expect(await tooLarge.json()).toMatchObject({ status: 413 });

    const atLimit = await api('/v1/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(1024 * 1024) });
    expect(atLimit.status).toBe(200);
    expect(((await atLimit.json()) as APIGatewayProxyEventV2).body).toHaveLength(1024 * 1024);
  });

  it('turns a throwing handler, or a handler file that does not exist yet, into a 500 problem for that route only', async () => {
    const thrown = await api('/v1/throws');
    expect(thrown.status).toBe(500);
    expect(thrown.headers.get('content-type')).toBe('application/problem+json');
    const problem = await thrown.json();
    expect(problem).toMatchObject({ status: 500 });
    expect(JSON.stringify(problem)).not.toContain('exploded'); // No internals leak to the client.

    const missing = await api('/v1/missing');
    expect(missing.status).toBe(500);
    expect((await missing.json()).detail).toContain('not-written-yet.ts');

    expect((await api('/v1/echo/special')).status).toBe(200);
  });

  it('fires a schedule through the local control route with a Scheduler-like event', async () => {
    const res = await api('/_local/schedules/tick', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ schedule: 'tick', ok: true, result: { reminded: 0 } });
    expect(fixtureState.scheduled.at(-1)).toMatchObject({
      scheduleArn: expect.stringMatching(/^arn:aws:scheduler:.+:schedule\/default\/tick$/),
      scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect((await api('/_local/schedules/nope', { method: 'POST' })).status).toBe(404);
  });
});

describe('local queue pollers', () => {
  const queueDepth = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  };

  it('deletes a message the consumer handled, and moves one it keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const { maxReceiveCount } = QUEUES.hourVerification;
    const queueUrl = runtime.queueUrls.hourVerification;
    // Sent the way a handler sends: a client configured by the environment alone.
    const warn = vi.spyOn(console, 'warn');
    const handlerClient = new SQSClient({});
    const ok = await handlerClient.send(
      new SendMessageCommand({
        QueueUrl: process.env[QUEUES.hourVerification.urlEnv],
        MessageBody: 'fine',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    handlerClient.destroy();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    const poison = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

    let dead;
    for (const deadline = Date.now() + 25_000; !dead && Date.now() < deadline; ) {
      dead = (
        await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.dlqUrls.hourVerification, WaitTimeSeconds: 1 }))
      ).Messages?.[0];
    }
    expect(dead?.MessageId).toBe(poison.MessageId);
    expect(dead?.Body).toBe('poison');

    const seen = (id?: string) => fixtureState.records.filter((r) => r.messageId === id);
    expect(seen(poison.MessageId).map((r) => r.attributes.ApproximateReceiveCount)).toEqual(
      Array.from({ length: maxReceiveCount }, (_, i) => String(i + 1)),
    );
    const [fine, ...again] = seen(ok.MessageId);
    expect(again).toHaveLength(0);
    expect(fine).toMatchObject({
      body: 'fine',
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(/:hour-verification$/),
      awsRegion: 'us-east-1',
      md5OfBody: createHash('md5').update('fine').digest('hex'),
      messageAttributes: { kind: { dataType: 'String', stringValue: 'test' } },
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
    });
    expect(await queueDepth(queueUrl)).toBe(0);
  }, 40_000);
});
