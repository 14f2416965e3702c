/**
 * An accepted name correction reaching the name's copies, with the SDK mocked: after the decision
 * commits, the hour records' `volunteerName` and the tallies' `name` are rewritten in batches of at
 * most 100 (each checking the name is still the volunteer's), `propagatedAt` marks it finished,
 * and deciding `accept` again resumes an unfinished propagation or answers a finished one as it
 * is. The tally consumer takes the volunteer's current name, checked in its transaction.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, cancelled, ddb, hourRecordItem, httpEvent, invokeHttp, isoAgo, lambdaContext, newId, resetMocks, sqsEvent, tokenFor, volunteerItem } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import type { Principal } from '../../shared/domain/access.js';
import { DELETED_VOLUNTEER_NAME } from '../../shared/domain/rights.js';
import { handler as decideCorrection } from '../../functions/http/correction-requests/decide.js';
import { handler as tallyAwards } from '../../functions/queue/tally-awards.js';

const ORG = 'futian.yuanling';
const admin: Principal = { subject: 'u-district', role: 'district_admin', scope: 'futian', accountId: newId() };
const OLD = '张建国';
const NEW = '张建华';

beforeEach(() => resetMocks());

const correction = (id: string, volunteerId: string, extra: Record<string, unknown> = {}) => ({
  ...keys.rightsRequest(id),
  type: 'RightsRequest',
  id,
  kind: 'correction',
  volunteerId,
  orgUnitId: ORG,
  field: 'name',
  proposedValue: NEW,
  reason: '身份证上的名字',
  status: 'pending',
  createdAt: '2025-01-01T00:00:00.000Z',
  requestedBy: 'self',
  ...extra,
});

const decide = async (id: string, decision: 'accept' | 'reject') =>
  invokeHttp(decideCorrection, httpEvent({ method: 'POST', path: `/v1/correction-requests/${id}/decide`, pathParameters: { id }, body: { decision }, token: await tokenFor(admin) }));

/** A volunteer whose name is already NEW (the correction's transaction committed), with `records` hour records and two tallies. */
const world = (volunteerId: string, records: number, tallyName = OLD, volunteer: Record<string, unknown> = { name: NEW }) => {
  const hours = Array.from({ length: records }, (_, i) =>
    hourRecordItem({ id: newId(), volunteerId, activityId: newId(), startedAt: isoAgo((i + 2) * 24 * HOUR), endedAt: isoAgo((i + 2) * 24 * HOUR - HOUR) }),
  );
  ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId, ...volunteer }) });
  const queries: any[] = [];
  ddb.on(QueryCommand).callsFake((input: any) => {
    queries.push(input);
    const pk = input.ExpressionAttributeValues[':pk'];
    if (pk === keys.volunteerHoursPk(volunteerId)) {
      const start = input.ExclusiveStartKey ? 100 : 0;
      const page = hours.slice(start, start + 100);
      return { Items: page, ...(start + 100 < hours.length ? { LastEvaluatedKey: { pk: page[99].pk, sk: page[99].sk } } : {}) };
    }
    if (pk === keys.volunteerTallyPk(volunteerId)) {
      return { Items: [{ ...keys.volunteerTally(volunteerId, 'ALL'), name: tallyName }, { ...keys.volunteerTally(volunteerId, '2025'), name: tallyName }] };
    }
    return { Items: [] };
  });
  ddb.on(UpdateCommand).callsFake((input: any) => ({ Attributes: { propagatedAt: input.ExpressionAttributeValues[':now'] } }));
  return { hours, queries };
};

const writes = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);

describe('accepting a name correction', () => {
  it('commits the decision, then rewrites every hour record and tally in checked batches of at most 100, and marks it propagated', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId) });
    ddb.on(TransactWriteCommand).resolves({});
    const { queries } = world(volunteerId, 150);

    const res = await decide(requestId, 'accept');
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ id: requestId, status: 'accepted', field: 'name', propagatedAt: expect.any(String) });

    const [decision, ...batches] = writes();
    expect(decision[0].Update).toMatchObject({ Key: keys.rightsRequest(requestId), ConditionExpression: '#status = :pending' });
    expect(decision[2].Update).toMatchObject({ Key: keys.volunteer(volunteerId), ExpressionAttributeValues: expect.objectContaining({ ':value': NEW }) });
    // Hour records first (two batches for 150), then the tallies.
    expect(batches).toHaveLength(3);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(100);
      expect(batch[0].ConditionCheck).toMatchObject({
        Key: keys.volunteer(volunteerId),
        ConditionExpression: '#name = :name AND attribute_not_exists(erasedAt)',
        ExpressionAttributeValues: { ':name': NEW },
      });
    }
    const recordUpdates = batches.flat().filter((i) => i.Update?.UpdateExpression === 'SET volunteerName = :name');
    expect(recordUpdates).toHaveLength(150);
    for (const u of recordUpdates) expect(u.Update!.ExpressionAttributeValues).toEqual({ ':name': NEW });
    expect(batches[2].slice(1).map((i) => i.Update!.Key)).toEqual([keys.volunteerTally(volunteerId, 'ALL'), keys.volunteerTally(volunteerId, '2025')]);
    expect(batches[2][1].Update!.ConditionExpression).toMatch(/#name <> :pseudonym/);
    // The tallies are read consistently: a tally committed before the correction is seen.
    expect(queries.find((q) => q.ExpressionAttributeValues[':pk'] === keys.volunteerTallyPk(volunteerId))?.ConsistentRead).toBe(true);

    const marks = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ Key: keys.rightsRequest(requestId), UpdateExpression: 'SET propagatedAt = if_not_exists(propagatedAt, :now)' });
  });

  it('accepting again resumes an unfinished propagation without deciding twice; copies already right are not rewritten', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId, { status: 'accepted', decidedAt: '2025-01-02T00:00:00.000Z' }) });
    ddb.on(TransactWriteCommand).resolves({});
    world(volunteerId, 3, NEW);

    const res = await decide(requestId, 'accept');
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', propagatedAt: expect.any(String) });
    const batches = writes();
    // No decision transaction; the records are rewritten, the tallies (already NEW) are not.
    expect(batches).toHaveLength(1);
    expect(batches[0].slice(1).every((i) => i.Update?.UpdateExpression === 'SET volunteerName = :name')).toBe(true);
    expect(batches[0]).toHaveLength(4);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('a finished propagation answers as it is and writes nothing; rejecting an accepted request stays 409', async () => {
    const volunteerId = newId();
    const requestId = newId();
    const propagatedAt = '2025-01-02T00:00:01.000Z';
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId, { status: 'accepted', propagatedAt }) });
    const res = await decide(requestId, 'accept');
    expect(res.statusCode, res.raw).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', propagatedAt });
    expect((await decide(requestId, 'reject')).statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('stops when the name changed again or erasure began meanwhile (their own steps own the copies), and still marks it finished', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId, { status: 'accepted' }) });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    world(volunteerId, 2);
    const res = await decide(requestId, 'accept');
    expect(res.statusCode, res.raw).toBe(200);
    // The records' batch failed its check; the tallies were not attempted.
    expect(writes()).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('an interrupted propagation (a failure that is not a condition) leaves the request unfinished for a retry', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId, { status: 'accepted' }) });
    ddb.on(TransactWriteCommand).rejects(new Error('connection reset'));
    world(volunteerId, 2);
    expect((await decide(requestId, 'accept')).statusCode).toBe(500);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('an erased volunteer has nothing to propagate', async () => {
    const volunteerId = newId();
    const requestId = newId();
    ddb.on(GetCommand, { Key: keys.rightsRequest(requestId) }).resolves({ Item: correction(requestId, volunteerId, { status: 'accepted' }) });
    world(volunteerId, 2, OLD, { name: DELETED_VOLUNTEER_NAME, erasedAt: '2025-02-01T00:00:00.000Z' });
    expect((await decide(requestId, 'accept')).statusCode).toBe(200);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('the tally consumer and the volunteer’s name', () => {
  const volunteerId = newId();
  const recordId = newId();
  const record = hourRecordItem({
    id: recordId,
    volunteerId,
    volunteerName: OLD,
    activityId: newId(),
    startedAt: '2025-03-01T01:00:00.000Z',
    endedAt: '2025-03-01T03:00:00.000Z',
    status: 'verified',
    minutes: 120,
  });
  const run = () => tallyAwards(sqsEvent([{ messageId: 'm1', body: JSON.stringify({ hourRecordId: recordId }) }]), lambdaContext('tally-awards'));
  const tallyNames = (items: any[]) =>
    items.filter((i) => i.Update?.Key?.pk === keys.volunteerTallyPk(volunteerId)).map((i) => {
      const names = i.Update.ExpressionAttributeNames as Record<string, string>;
      const alias = Object.keys(names).find((k) => names[k] === 'name')!;
      return i.Update.ExpressionAttributeValues[`:v${alias.slice(2)}`];
    });

  const stub = (volunteer: Record<string, unknown> | undefined, rec: Record<string, unknown> = record) => {
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.hourRecord(recordId) }).resolves({ Item: rec });
    if (volunteer) ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId, ...volunteer }) });
    ddb.on(UpdateCommand).resolves({});
  };

  it('a record written before a correction is tallied under the volunteer’s current name, checked at commit', async () => {
    stub({ name: NEW });
    ddb.on(TransactWriteCommand).resolves({});
    expect((await run()).batchItemFailures).toEqual([]);
    const items = writes()[0];
    expect(tallyNames(items)).toEqual([NEW, NEW]);
    const checks = items.filter((i) => i.ConditionCheck).map((i) => i.ConditionCheck!);
    expect(checks[0]).toMatchObject({ Key: keys.volunteer(volunteerId), ConditionExpression: '#name = :name AND attribute_not_exists(erasedAt)', ExpressionAttributeValues: { ':name': NEW } });
    expect(checks[1]).toMatchObject({ Key: keys.hourRecord(recordId), ConditionExpression: 'attribute_exists(volunteerName)' });
    // The consent check stays last.
    expect(checks[2].Key).toEqual(keys.consentState('volunteer', volunteerId, 'public-name'));
    expect(ddb.commandCalls(GetCommand).find((c) => c.args[0].input.Key?.pk === keys.volunteer(volunteerId).pk)!.args[0].input.ConsistentRead).toBe(true);
  });

  it('a correction committed between reading the name and tallying fails the check; the retry reads the new name', async () => {
    stub(undefined);
    ddb
      .on(GetCommand, { Key: keys.volunteer(volunteerId) })
      .resolvesOnce({ Item: volunteerItem({ id: volunteerId, name: OLD }) })
      .resolves({ Item: volunteerItem({ id: volunteerId, name: NEW }) });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(...Array(11).fill('None'), 'ConditionalCheckFailed', 'None', 'None'))
      .resolves({});
    expect((await run()).batchItemFailures).toEqual([]);
    const [first, second] = writes();
    expect(tallyNames(first)).toEqual([OLD, OLD]);
    expect(tallyNames(second)).toEqual([NEW, NEW]);
  });

  it('erasure keeps the pseudonym: a record without its name, or an erased volunteer, tallies under it with no name check', async () => {
    const { volunteerName: _gone, ...nameless } = record;
    stub({ name: OLD }, nameless);
    ddb.on(TransactWriteCommand).resolves({});
    expect((await run()).batchItemFailures).toEqual([]);
    expect(tallyNames(writes()[0])).toEqual([DELETED_VOLUNTEER_NAME, DELETED_VOLUNTEER_NAME]);
    expect(writes()[0].filter((i) => i.ConditionCheck)).toHaveLength(1);

    resetMocks();
    stub({ name: DELETED_VOLUNTEER_NAME, erasedAt: '2025-02-01T00:00:00.000Z' });
    ddb.on(TransactWriteCommand).resolves({});
    expect((await run()).batchItemFailures).toEqual([]);
    expect(tallyNames(writes()[0])).toEqual([DELETED_VOLUNTEER_NAME, DELETED_VOLUNTEER_NAME]);
  });
});
