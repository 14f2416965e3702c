import { GetCommand, PutCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { SendMessageCommand } from '../../shared/aws/sqs.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  HOUR,
  HOUR_VERIFICATION_QUEUE_URL,
  activityItem,
  cancelled,
  ddb,
  httpEvent,
  invokeHttp,
  isoAgo,
  newId,
  resetMocks,
  sqs,
  teamItem,
  tokenFor,
  volunteerItem,
} from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import type { Principal } from '../../shared/domain/access.js';
import { handler as checkOut } from '../../functions/http/attendance/check-out.js';

const activityId = newId();
const teamId = newId();
const volunteerId = newId();
const checkedInAt = isoAgo(1 * HOUR);

const self: Principal = { subject: 'vol-user', role: 'volunteer', volunteerId };

const stubReads = (attendance: Record<string, unknown> | null = { checkedInAt }) => {
  ddb.on(GetCommand, { Key: keys.activity(activityId) }).resolves({ Item: activityItem({ id: activityId, teamId }) });
  ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId }) });
  ddb.on(GetCommand, { Key: keys.team(teamId) }).resolves({ Item: teamItem({ id: teamId }) });
  ddb
    .on(GetCommand, { Key: keys.attendance(activityId, volunteerId) })
    .resolves(attendance ? { Item: { ...keys.attendance(activityId, volunteerId), activityId, volunteerId, ...attendance } } : {});
};

const post = async (principal: Principal, payload: Record<string, unknown> = { volunteerId }) =>
  invokeHttp(
    checkOut,
    httpEvent({
      method: 'POST',
      path: `/v1/activities/${activityId}/check-outs`,
      routeKey: 'POST /v1/activities/{id}/check-outs',
      pathParameters: { id: activityId },
      body: payload,
      token: await tokenFor(principal),
    }),
  );

beforeEach(resetMocks);

describe('POST /v1/activities/{id}/check-outs', () => {
  it('writes the attendance and pending record in one transaction, then sends exactly one verification message; 202 pending', async () => {
    stubReads();
    const order: string[] = [];
    ddb.on(TransactWriteCommand).callsFake(() => {
      order.push('transact');
      return {};
    });
    sqs.on(SendMessageCommand).callsFake(() => {
      order.push('send');
      return { MessageId: 'm-1' };
    });

    const res = await post(self, { volunteerId, lat: 22.55, lng: 114.08 });

    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ hourRecordId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), status: 'pending' });
    const { hourRecordId } = res.body;

    expect(order).toEqual(['transact', 'send']);

    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [closeAttendance, putRecord] = writes[0].args[0].input.TransactItems!;
    expect(closeAttendance.Update?.Key).toEqual(keys.attendance(activityId, volunteerId));
    expect(closeAttendance.Update?.ExpressionAttributeValues?.[':record']).toBe(hourRecordId);
    expect(putRecord.Put?.Item).toMatchObject({
      ...keys.hourRecord(hourRecordId),
      id: hourRecordId,
      volunteerId,
      activityId,
      teamId,
      status: 'pending',
      source: 'check-out',
      startedAt: checkedInAt,
    });

    const sends = sqs.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0].args[0].input.QueueUrl).toBe(HOUR_VERIFICATION_QUEUE_URL);
    expect(JSON.parse(sends[0].args[0].input.MessageBody!)).toEqual({ hourRecordId });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('a check-out whose transaction is cancelled (already checked out meanwhile) is 409 and sends nothing', async () => {
    stubReads();
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    const res = await post(self);
    expect(res.statusCode).toBe(409);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('checking out without having checked in is 409 and writes nothing', async () => {
    stubReads(null);
    const res = await post(self);
    expect(res.statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('checking out twice is 409', async () => {
    stubReads({ checkedInAt, checkedOutAt: isoAgo(HOUR / 2), hourRecordId: newId() });
    const res = await post(self);
    expect(res.statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('a volunteer cannot check out someone else (403)', async () => {
    stubReads();
    const res = await post({ subject: 'other', role: 'volunteer', volunteerId: newId() });
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
