import { QueryCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ddb, httpEvent, invokeHttp, resetMocks, tokenFor } from './helpers.js';
import { handler } from '../../functions/http/activities/list.js';
import { encodeCursor } from '../../shared/data/cursor.js';

describe('list cursors', () => {
  beforeEach(resetMocks);

  it('a well-formed cursor outside the queried time range is a 400, not a 500', async () => {
    // DynamoDB refuses a start key that does not match the sort-key condition.
    ddb.on(QueryCommand).rejects(Object.assign(new Error('The provided starting key does not match the range key predicate'), { name: 'ValidationException' }));
    const cursor = encodeCursor({ pk: 'ACT#01JD0000000000000000000000', sk: 'ACT', districtPk: 'ACT#futian', districtSk: '2030-01-01T00:00:00.000Z#01JD0000000000000000000000' })!;
    const token = await tokenFor({ subject: 'u', role: 'city_admin', scope: 'sz' });
    const res = await invokeHttp(
      handler,
      httpEvent({ method: 'GET', path: '/v1/activities', routeKey: 'GET /v1/activities', query: { orgUnitId: 'futian', to: '2026-01-01T00:00:00Z', cursor }, token }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.errors[0].path).toBe('cursor');
  });

  it('a database validation error without a cursor stays a server error', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('bad'), { name: 'ValidationException' }));
    const token = await tokenFor({ subject: 'u', role: 'city_admin', scope: 'sz' });
    const res = await invokeHttp(handler, httpEvent({ method: 'GET', path: '/v1/activities', routeKey: 'GET /v1/activities', query: { orgUnitId: 'futian' }, token }));
    expect(res.statusCode).toBe(500);
  });
});
