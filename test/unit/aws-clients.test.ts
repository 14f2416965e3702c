/**
 * The light AWS clients (shared/aws) against a stand-in service on 127.0.0.1: what they send
 * (target, signature, marshalled values, an idempotency token per transaction), what they give
 * back (plain values, AwsErrors named by the service), and when they try again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchGetCommand, DYNAMODB, DynamoDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import type { JsonCommand } from '../../shared/aws/client.js';
import { DecryptCommand, GenerateDataKeyCommand, KmsClient } from '../../shared/aws/kms.js';
import { AwsError, MAX_ATTEMPTS, callAws, endpointOf, isServiceUnavailable, useCredentials, type AwsCredentials } from '../../shared/aws/request.js';
import { readSecretString } from '../../shared/aws/secrets-manager.js';
import { SendMessageCommand, SqsClient } from '../../shared/aws/sqs.js';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, any>;
}
/** `raw` is sent as it is (not JSON). */
type Answer = { status?: number; body?: unknown; raw?: string; headers?: Record<string, string> } | 'hang' | 'reset';

let server: http.Server;
let received: Received[] = [];
let answers: Answer[] = [];

const answerWith = (...next: Answer[]) => {
  answers = next;
};

const ENV_NAMES = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
      const answer = answers.length > 1 ? answers.shift()! : (answers[0] ?? {});
      if (answer === 'hang') return;
      if (answer === 'reset') return req.socket.destroy();
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1', ...answer.headers });
      res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const n of ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL_SECRETS_MANAGER']) process.env[n] = url;
  process.env.AWS_REGION = 'cn-north-1';
  delete process.env.AWS_DEFAULT_REGION;
  delete process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_SESSION_TOKEN = 'session-token';
  received = [];
  answers = [];
});

afterEach(() => {
  for (const [n, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[n];
    else process.env[n] = v;
  }
});

const db = new DynamoDocumentClient();

describe('a request', () => {
  it('is a signed POST of the JSON document with the operation in X-Amz-Target', async () => {
    answerWith({ body: {} });
    await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A', sk: 'B' } }));
    const [{ headers, body }] = received;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/dynamodb\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(body).toEqual({ TableName: 't', Key: { pk: { S: 'A' }, sk: { S: 'B' } } });
  });

  it('goes to the regional endpoint, amazonaws.com.cn in the China regions, unless AWS_ENDPOINT_URL_<SERVICE> says otherwise', () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    expect(endpointOf(DYNAMODB).href).toBe('https://dynamodb.cn-north-1.amazonaws.com.cn/');
    process.env.AWS_REGION = 'cn-northwest-1';
    expect(endpointOf(DYNAMODB).href).toBe('https://dynamodb.cn-northwest-1.amazonaws.com.cn/');
    process.env.AWS_REGION = 'ap-east-1';
    expect(endpointOf(DYNAMODB).href).toBe('https://dynamodb.ap-east-1.amazonaws.com/');
    process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:8000';
    expect(endpointOf(DYNAMODB).href).toBe('http://127.0.0.1:8000/');
  });

  it('to an endpoint with a path, is sent to that path and signed for it', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB += '/ddb';
    await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }));
    const { url, headers } = received[0];
    expect(url).toBe('/ddb');
    const body = JSON.stringify(received[0].body);
    const resigned = aws4.sign(
      {
        host: headers.host,
        path: '/ddb',
        method: 'POST',
        service: 'dynamodb',
        region: 'cn-north-1',
        headers: { 'Content-Type': headers['content-type'], 'X-Amz-Target': headers['x-amz-target'], 'Content-Length': Buffer.byteLength(body), 'X-Amz-Date': headers['x-amz-date'] },
        body,
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
    );
    expect(headers.authorization).toBe(resigned.headers!.Authorization);
  });

  it('without credentials or a region fails with a line that says which variable is missing', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    await expect(db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }))).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
    process.env.AWS_ACCESS_KEY_ID = 'x';
    delete process.env.AWS_REGION;
    await expect(db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }))).rejects.toThrow(/AWS_REGION/);
    expect(received).toHaveLength(0);
  });

  it('uses the credentials a script installs instead of the environment', async () => {
    answerWith({ body: {} });
    const calls: number[] = [];
    const fromProfile = async (): Promise<AwsCredentials> => (calls.push(1), { accessKeyId: 'AKIDPROFILE', secretAccessKey: 's' });
    useCredentials(fromProfile);
    try {
      await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }));
    } finally {
      useCredentials();
    }
    expect(calls).toHaveLength(1);
    expect(received[0].headers.authorization).toContain('Credential=AKIDPROFILE/');
    expect(received[0].headers['x-amz-security-token']).toBeUndefined();
  });
});

describe('DynamoDB values', () => {
  it('go out in attribute-value form (undefined attributes left out) and come back as plain values', async () => {
    answerWith({ body: { Attributes: { pk: { S: 'A' }, n: { N: '3' }, tags: { SS: ['x'] } } } });
    const out = await db.send(
      new PutCommand({ TableName: 't', Item: { pk: 'A', n: 3, nested: { ok: true, gone: undefined }, list: [1, 'b'] }, ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':v': 1 }, ReturnValues: 'ALL_OLD' }),
    );
    expect(received[0].body).toEqual({
      TableName: 't',
      Item: { pk: { S: 'A' }, n: { N: '3' }, nested: { M: { ok: { BOOL: true } } }, list: { L: [{ N: '1' }, { S: 'b' }] } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeValues: { ':v': { N: '1' } },
      ReturnValues: 'ALL_OLD',
    });
    expect(out.Attributes).toEqual({ pk: 'A', n: 3, tags: new Set(['x']) });
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1', attempts: 1 });
  });

  it('binary values (Uint8Array, Buffer, binary sets) travel as base64 and come back as bytes', async () => {
    answerWith({ body: { Item: { pk: { S: 'A' }, blob: { B: 'AQID' }, nested: { M: { B: { S: 'an attribute named B' } } }, blobs: { BS: ['BA==', 'BQ=='] } } } });
    await db.send(new PutCommand({ TableName: 't', Item: { pk: 'A', blob: new Uint8Array([1, 2, 3]), buf: Buffer.from([4]), blobs: new Set([new Uint8Array([5])]) } }));
    expect(received[0].body.Item).toEqual({ pk: { S: 'A' }, blob: { B: 'AQID' }, buf: { B: 'BA==' }, blobs: { BS: ['BQ=='] } });
    const out = await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }));
    expect(out.Item).toEqual({ pk: 'A', blob: new Uint8Array([1, 2, 3]), nested: { B: 'an attribute named B' }, blobs: new Set([new Uint8Array([4]), new Uint8Array([5])]) });
  });

  it('a Query gives its items and its LastEvaluatedKey as plain values, and takes a start key the same way', async () => {
    answerWith({ body: { Items: [{ pk: { S: 'A' }, sk: { S: '1' } }], Count: 1, LastEvaluatedKey: { pk: { S: 'A' }, sk: { S: '1' } } } });
    const out = await db.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'A' }, ExclusiveStartKey: { pk: 'A', sk: '0' }, IndexName: undefined }));
    expect(received[0].body).toEqual({ TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'A' } }, ExclusiveStartKey: { pk: { S: 'A' }, sk: { S: '0' } } });
    expect(out).toMatchObject({ Items: [{ pk: 'A', sk: '1' }], Count: 1, LastEvaluatedKey: { pk: 'A', sk: '1' } });
  });

  it('a BatchGet marshals its keys and unmarshals responses and unprocessed keys', async () => {
    answerWith({ body: { Responses: { t: [{ pk: { S: 'A' } }] }, UnprocessedKeys: { t: { Keys: [{ pk: { S: 'B' } }] } } } });
    const out = await db.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'A' }, { pk: 'B' }], ConsistentRead: true } } }));
    expect(received[0].body).toEqual({ RequestItems: { t: { Keys: [{ pk: { S: 'A' } }, { pk: { S: 'B' } }], ConsistentRead: true } } });
    expect(out.Responses).toEqual({ t: [{ pk: 'A' }] });
    expect(out.UnprocessedKeys).toEqual({ t: { Keys: [{ pk: 'B' }] } });
  });

  it('a transaction marshals every item and carries an idempotency token: the same on a retried attempt, a new one per send', async () => {
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { ConditionCheck: { TableName: 't', Key: { pk: 'V' }, ConditionExpression: 'attribute_not_exists(erasing)' } },
        { Put: { TableName: 't', Item: { pk: 'E', n: 1 } } },
        { Update: { TableName: 't', Key: { pk: 'A' }, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': 1 } } },
        { Delete: { TableName: 't', Key: { pk: 'D' } } },
      ],
    });
    answerWith({ status: 500, body: { __type: 'InternalServerError', message: 'try again' } }, { body: {} });
    await db.send(transaction);
    answerWith({ body: {} });
    await db.send(transaction);
    expect(received).toHaveLength(3);
    expect(received[0].body.TransactItems).toEqual([
      { ConditionCheck: { TableName: 't', Key: { pk: { S: 'V' } }, ConditionExpression: 'attribute_not_exists(erasing)' } },
      { Put: { TableName: 't', Item: { pk: { S: 'E' }, n: { N: '1' } } } },
      { Update: { TableName: 't', Key: { pk: { S: 'A' } }, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
      { Delete: { TableName: 't', Key: { pk: { S: 'D' } } } },
    ]);
    const [first, retried, again] = received.map((r) => r.body.ClientRequestToken);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retried).toBe(first);
    expect(again).not.toBe(first);
    // The command's input is the caller's: not rewritten by sending it.
    expect(transaction.input.TransactItems![1].Put!.Item).toEqual({ pk: 'E', n: 1 });
  });
});

describe('errors', () => {
  it('a failed condition is an AwsError named by the service, answered at once (never retried)', async () => {
    answerWith({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' } });
    const error = await db.send(new PutCommand({ TableName: 't', Item: { pk: 'A' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 1 } });
    expect(received).toHaveLength(1);
  });

  it('a cancelled transaction keeps its CancellationReasons, items in attribute-value form, as the SDK gives them', async () => {
    const reasons = [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: { S: 'A' }, n: { N: '2' } } }];
    answerWith({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', Message: 'Transaction cancelled', CancellationReasons: reasons } });
    const error = (await db.send(new TransactWriteCommand({ TransactItems: [] })).catch((e: unknown) => e)) as AwsError;
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.message).toBe('Transaction cancelled');
    expect(error.CancellationReasons).toEqual(reasons);
    expect(received).toHaveLength(1);
  });

  it('throttling is retried with backoff, up to the SDK\'s three attempts, then thrown', async () => {
    answerWith({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } });
    const error = await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: MAX_ATTEMPTS } });
    expect(received).toHaveLength(MAX_ATTEMPTS);
  });

  it('a 5xx, or a connection dropped without an answer, is tried again and the answer that follows is used', async () => {
    answerWith('reset', { status: 503, body: { __type: 'ServiceUnavailable' } }, { body: { Item: { pk: { S: 'A' } } } });
    const out = await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }));
    expect(out.Item).toEqual({ pk: 'A' });
    expect(out.$metadata.attempts).toBe(3);
  });

  it('no answer within the attempt timeout: an idempotent call is tried again, a TimeoutError after every attempt', async () => {
    answerWith('hang');
    const started = Date.now();
    const error = await callAws(DYNAMODB, 'GetItem', {}, { attemptTimeoutMs: 100, idempotent: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(isServiceUnavailable(error)).toBe(true);
    expect(received).toHaveLength(MAX_ATTEMPTS);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a write whose answer was lost is not sent again (it may have been applied): a TimeoutError after one attempt', async () => {
    answerWith('hang');
    const error = await callAws(DYNAMODB, 'PutItem', {}, { attemptTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(received).toHaveLength(1);
  });

  it('a connection dropped without an answer: a write is sent again only when a kept-alive connection was closed before it was read; reads and transactions always', async () => {
    const freshConnections = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await freshConnections();
    answerWith('reset', {});
    await expect(db.send(new UpdateCommand({ TableName: 't', Key: { pk: 'A' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(received).toHaveLength(1);

    // On a kept-alive connection a reset before any answer is the server having closed it while
    // idle (Node's documented race): the request was not read, so even a write is sent again.
    received = [];
    answerWith({});
    await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } }));
    answerWith('reset', {});
    await db.send(new UpdateCommand({ TableName: 't', Key: { pk: 'A' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
    expect(received).toHaveLength(3);

    for (const command of [new GetCommand({ TableName: 't', Key: { pk: 'A' } }), new TransactWriteCommand({ TransactItems: [] })] as JsonCommand<unknown, unknown>[]) {
      received = [];
      await freshConnections();
      answerWith('reset', {});
      await db.send(command);
      expect(received).toHaveLength(2);
    }
  });

  it('a "success" that is not JSON (a proxy\'s page) is an error, never an empty result', async () => {
    answerWith({ status: 200, raw: '<html>Login required</html>', headers: { 'content-type': 'text/html' } });
    const error = await db.send(new GetCommand({ TableName: 't', Key: { pk: 'A' } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidResponse', $fault: 'server' });
    expect(received).toHaveLength(1);
  });

  it('names the error from x-amzn-errortype first, then the document\'s code, then __type; a 501 is not retried', async () => {
    answerWith({ status: 400, body: { code: 'InvalidParameterValue', message: 'bad' } });
    await expect(db.send(new QueryCommand({ TableName: 't' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    answerWith({ status: 400, headers: { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/' }, body: { __type: 'Other' } });
    await expect(db.send(new QueryCommand({ TableName: 't' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    received = [];
    answerWith({ status: 501, body: { __type: 'NotImplemented' } });
    await expect(db.send(new QueryCommand({ TableName: 't' }))).rejects.toMatchObject({ name: 'NotImplemented', $fault: 'server' });
    expect(received).toHaveLength(1);
  });

  it('a validation error (the client\'s fault) is not retried', async () => {
    answerWith({ status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message: 'The provided starting key is invalid' } });
    await expect(db.send(new QueryCommand({ TableName: 't' }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(received).toHaveLength(1);
  });
});

describe('SQS, KMS and Secrets Manager', () => {
  it('SQS SendMessage speaks AmazonSQS JSON 1.0', async () => {
    answerWith({ body: { MessageId: 'm-1', MD5OfMessageBody: 'x' } });
    const out = await new SqsClient().send(new SendMessageCommand({ QueueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/1/q', MessageBody: '{"a":1}' }));
    expect(out.MessageId).toBe('m-1');
    expect(received[0].headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(received[0].headers.authorization).toContain('/cn-north-1/sqs/aws4_request');
    expect(received[0].body).toEqual({ QueueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/1/q', MessageBody: '{"a":1}' });
  });

  it('KMS blobs travel as base64 and come back as bytes', async () => {
    const kms = new KmsClient();
    const plaintext = Buffer.alloc(32, 7);
    const blob = Buffer.from('wrapped-key');
    answerWith({ body: { KeyId: 'k', Plaintext: plaintext.toString('base64'), CiphertextBlob: blob.toString('base64') } });
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: 'k', KeySpec: 'AES_256', EncryptionContext: { field: 'f' } }));
    expect(received[0].headers['x-amz-target']).toBe('TrentService.GenerateDataKey');
    expect(received[0].headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(Buffer.from(generated.Plaintext!)).toEqual(plaintext);
    expect(Buffer.from(generated.CiphertextBlob!)).toEqual(blob);

    answerWith({ body: { KeyId: 'k', Plaintext: plaintext.toString('base64') } });
    const opened = await kms.send(new DecryptCommand({ KeyId: 'k', CiphertextBlob: new Uint8Array(blob), EncryptionContext: { field: 'f' } }));
    expect(received[1].body).toEqual({ KeyId: 'k', CiphertextBlob: blob.toString('base64'), EncryptionContext: { field: 'f' } });
    expect(Buffer.from(opened.Plaintext!)).toEqual(plaintext);
  });

  it('a secret is read as its string; an empty one is an error naming it', async () => {
    answerWith({ body: { SecretString: 's3cret' } }, { body: {} });
    expect(await readSecretString('arn:aws-cn:secretsmanager:cn-north-1:1:secret:jwt', 'The JWT secret')).toBe('s3cret');
    expect(received[0].headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(received[0].body).toEqual({ SecretId: 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:jwt' });
    await expect(readSecretString('arn:x', 'The JWT secret')).rejects.toThrow('The JWT secret is empty');
  });
});
