import { awsError } from '../aws-mock.js';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, activityItem, volunteerItem, cancelled, ddb, httpEvent, invokeHttp, isoIn, newId, resetMocks, tokenFor } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as enroll } from '../../functions/http/enrollments/create.js';
import { handler as withdraw } from '../../functions/http/enrollments/delete.js';

const activityId = newId();
const teamId = newId();
const volunteerId = newId();
const self: Principal = { subject: 'vol-user', role: 'volunteer', volunteerId };

const stubActivity = (over: Record<string, unknown> = {}) => {
  // The volunteer exists (read with their totals in one BatchGet).
  ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [volunteerItem({ id: volunteerId, orgUnitId: 'futian.yuanling' })] } });
  return ddb
    .on(GetCommand, { Key: keys.activity(activityId) })
    .resolves({ Item: activityItem({ id: activityId, teamId, startsAt: isoIn(24 * HOUR), endsAt: isoIn(27 * HOUR), ...over }) });
};

const postEnrollment = async (principal: Principal = self) =>
  invokeHttp(
    enroll,
    httpEvent({
      method: 'POST',
      path: `/v1/activities/${activityId}/enrollments`,
      routeKey: 'POST /v1/activities/{id}/enrollments',
      pathParameters: { id: activityId },
      body: { volunteerId },
      token: await tokenFor(principal),
      headers: { 'accept-language': 'en' },
    }),
  );

const deleteEnrollment = async (principal: Principal = self) =>
  invokeHttp(
    withdraw,
    httpEvent({
      method: 'DELETE',
      path: `/v1/activities/${activityId}/enrollments/${volunteerId}`,
      routeKey: 'DELETE /v1/activities/{id}/enrollments/{volunteerId}',
      pathParameters: { id: activityId, volunteerId },
      token: await tokenFor(principal),
      headers: { 'accept-language': 'en' },
    }),
  );

beforeEach(resetMocks);

describe('POST /v1/activities/{id}/enrollments', () => {
  it('an unknown volunteer id takes no place: 404 and nothing written', async () => {
    stubActivity();
    ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [] } });
    const res = await postEnrollment({ subject: 'admin', role: 'city_admin', scope: 'sz' });
    expect(res.statusCode).toBe(404);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("an admin may not enrol a volunteer from outside their node, even into their own district's activity (403)", async () => {
    stubActivity();
    ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [volunteerItem({ id: volunteerId, orgUnitId: 'luohu.dongmen' })] } });
    const res = await postEnrollment({ subject: 'admin', role: 'district_admin', scope: 'futian' });
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('signing up twice (the enrollment put at index 1 fails its condition) is 409 already enrolled, not retried', async () => {
    stubActivity();
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    const res = await postEnrollment();
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toBe('Already signed up for this activity');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a volunteer being erased when the place is written is 409, decided by the write itself, not the earlier read', async () => {
    stubActivity(); // the read still shows the volunteer as they were
    const erasing = awsError('TransactionCanceledException', 'Transaction cancelled', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: { S: `VOL#${volunteerId}` }, erasing: { S: 'request-1' } } }],
    });
    ddb.on(TransactWriteCommand).rejects(erasing);
    const res = await postEnrollment();
    expect(res.statusCode).toBe(409);
    expect(res.body.detail).toMatch(/erased/);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items.at(-1)?.ConditionCheck).toMatchObject({ Key: keys.volunteer(volunteerId), ConditionExpression: expect.stringContaining('attribute_not_exists(erasing)') });
  });

  it('enrolls with 201 while places last', async () => {
    stubActivity();
    ddb.on(TransactWriteCommand).resolves({});
    const res = await postEnrollment();
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({ activityId, volunteerId, status: 'enrolled' });
    const [counter, put] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(counter.Update?.Key).toEqual(keys.activity(activityId));
    expect(counter.Update?.ConditionExpression).toBeTruthy();
    expect(put.Put?.Item).toMatchObject(keys.enrollment(activityId, volunteerId));
  });

  it('a draft activity is 409 and nothing is written', async () => {
    stubActivity({ status: 'draft' });
    const res = await postEnrollment();
    expect(res.statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('an activity that does not exist is 404', async () => {
    ddb.on(GetCommand).resolves({});
    const res = await postEnrollment();
    expect(res.statusCode).toBe(404);
    expect(res.body.detail).toBe('Activity not found');
  });
});

describe('DELETE /v1/activities/{id}/enrollments/{volunteerId}', () => {
  it('withdrawing an enrollment that does not exist is 404 and writes nothing', async () => {
    stubActivity();
    ddb.on(GetCommand, { Key: keys.enrollment(activityId, volunteerId) }).resolves({});
    const res = await deleteEnrollment();
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toBe('Enrollment not found');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('withdrawing an existing enrollment is 204 and frees the place for the waitlist', async () => {
    stubActivity();
    ddb
      .on(GetCommand, { Key: keys.enrollment(activityId, volunteerId) })
      .resolves({ Item: { ...keys.enrollment(activityId, volunteerId), activityId, volunteerId, status: 'enrolled', enrolledAt: isoIn(-HOUR) } });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const res = await deleteEnrollment();
    expect(res.statusCode).toBe(204);
    expect(res.raw).toBeUndefined();
    const [del, counter] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(del.Delete?.Key).toEqual(keys.enrollment(activityId, volunteerId));
    expect(counter.Update?.Key).toEqual(keys.activity(activityId));
    expect(counter.Update?.UpdateExpression).toContain('enrolledCount');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('another volunteer cannot withdraw someone else (403)', async () => {
    stubActivity();
    const res = await deleteEnrollment({ subject: 'x', role: 'volunteer', volunteerId: newId() });
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
