import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { SendMessageCommand } from '../../shared/aws/sqs.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  HOUR,
  HOUR_VERIFICATION_QUEUE_URL,
  activityItem,
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
import { handler as backFill } from '../../functions/http/hour-records/back-fill.js';

const activityId = newId();
const teamId = newId();
const volunteerId = newId();

const stubReads = () => {
  ddb
    .on(GetCommand, { Key: keys.activity(activityId) })
    .resolves({ Item: activityItem({ id: activityId, teamId, startsAt: isoAgo(30 * HOUR), endsAt: isoAgo(26 * HOUR) }) });
  ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId }) });
  ddb.on(GetCommand, { Key: keys.team(teamId) }).resolves({ Item: teamItem({ id: teamId }) });
  // The volunteer signed up for the activity, so the organiser may record their hours.
  ddb
    .on(GetCommand, { Key: keys.enrollment(activityId, volunteerId) })
    .resolves({ Item: { ...keys.enrollment(activityId, volunteerId), activityId, volunteerId, status: 'enrolled' } });
  ddb.on(PutCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
};

const post = async (principal: Principal) =>
  invokeHttp(
    backFill,
    httpEvent({
      method: 'POST',
      path: '/v1/hour-records',
      body: { volunteerId, activityId, startedAt: isoAgo(30 * HOUR), endedAt: isoAgo(27 * HOUR), note: '线下登记' },
      token: await tokenFor(principal),
    }),
  );

beforeEach(resetMocks);

describe('POST /v1/hour-records (back-fill)', () => {
  it('a volunteer cannot back-fill hours, even their own (403, organisers only), and nothing is written or sent', async () => {
    stubReads();
    const res = await post({ subject: 'vol-user', role: 'volunteer', volunteerId });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("the leader of the activity's team may back-fill: 202 pending, one record written, one message sent", async () => {
    stubReads();
    const res = await post({ subject: 'leader', role: 'team_leader', scope: teamId });
    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    // The record and its audit entry, in one transaction.
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [record, audit] = writes[0].args[0].input.TransactItems!;
    expect(record.Put!.Item).toMatchObject({ id: res.body.id, source: 'back-fill', status: 'pending', note: '线下登记' });
    expect(audit.Put!.Item).toMatchObject({ type: 'Audit', action: 'hours.back-fill', target: { type: 'hourRecord', id: res.body.id }, actor: { subject: 'leader' } });
    expect(audit.Put!.Item!.after).not.toHaveProperty('volunteerName');
    const sends = sqs.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0].args[0].input.QueueUrl).toBe(HOUR_VERIFICATION_QUEUE_URL);
    expect(JSON.parse(sends[0].args[0].input.MessageBody!)).toEqual({ hourRecordId: res.body.id });
  });

  it('a leader of another team is 403', async () => {
    stubReads();
    const res = await post({ subject: 'leader', role: 'team_leader', scope: newId() });
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
  it('a leader may not back-fill hours for someone who neither signed up nor belongs to the team (403, nothing written)', async () => {
    stubReads();
    ddb.on(GetCommand, { Key: keys.enrollment(activityId, volunteerId) }).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { [process.env.TABLE_NAME!]: [volunteerItem({ id: volunteerId })] } });
    const res = await post({ subject: 'leader', role: 'team_leader', scope: teamId });
    expect(res.statusCode).toBe(403);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('a draft activity takes no back-filled hours (409)', async () => {
    stubReads();
    ddb
      .on(GetCommand, { Key: keys.activity(activityId) })
      .resolves({ Item: activityItem({ id: activityId, teamId, status: 'draft', startsAt: isoAgo(30 * HOUR), endsAt: isoAgo(26 * HOUR) }) });
    const res = await post({ subject: 'leader', role: 'team_leader', scope: teamId });
    expect(res.statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
