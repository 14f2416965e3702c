import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { cancelled, ddb, hourRecordItem, lambdaContext, newId, resetMocks, sqsEvent, volunteerItem } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import { handler } from '../../functions/queue/tally-awards.js';

const volunteerId = newId();
const recordId = newId();
const teamId = newId();
const registeredAt = new Date(Date.now() - 3 * 366 * 86_400_000).toISOString();

const verified = hourRecordItem({
  id: recordId,
  volunteerId,
  activityId: newId(),
  teamId,
  startedAt: '2025-03-01T01:00:00.000Z',
  endedAt: '2025-03-01T03:00:00.000Z',
  status: 'verified',
  minutes: 120,
});

const stub = (lifetimeMinutes: number) => {
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: keys.hourRecord(recordId) }).resolves({ Item: verified });
  ddb.on(GetCommand, { Key: keys.volunteer(volunteerId) }).resolves({ Item: volunteerItem({ id: volunteerId, registeredAt }) });
  ddb
    .on(GetCommand, { Key: keys.volunteerTally(volunteerId, 'ALL') })
    .resolves({ Item: { ...keys.volunteerTally(volunteerId, 'ALL'), minutes: lifetimeMinutes } });
  ddb.on(UpdateCommand).resolves({});
};

const run = () => handler(sqsEvent([{ messageId: 'm1', body: JSON.stringify({ hourRecordId: recordId }) }]), lambdaContext('tally-awards'));

/** Updates that add to a counter (as opposed to storing the star level). */
const counterUpdates = () =>
  ddb.commandCalls(UpdateCommand).filter((c) => /\bADD\b/i.test(c.args[0].input.UpdateExpression ?? ''));

beforeEach(resetMocks);

describe('tally-awards queue consumer', () => {
  it('a redelivered record (the marker at index 0 fails its condition) is not counted twice, and the message succeeds', async () => {
    stub(6_000);
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', ...Array(9).fill('None')));

    const result = await run();

    expect(result.batchItemFailures).toEqual([]);
    // One attempt, not retried; nothing else adds minutes outside the cancelled transaction.
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const marker = writes[0].args[0].input.TransactItems![0];
    expect(marker.Put?.Item).toMatchObject(keys.tallyMarker(recordId));
    expect(marker.Put?.ConditionExpression).toMatch(/attribute_not_exists/);
    expect(counterUpdates()).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    // The star level is still (re)stored from the lifetime total: 100 h and three years → 1 star.
    const starUpdates = ddb.commandCalls(UpdateCommand);
    expect(starUpdates).toHaveLength(1);
    expect(starUpdates[0].args[0].input.Key).toEqual(keys.volunteerTally(volunteerId, 'ALL'));
    expect(starUpdates[0].args[0].input.ExpressionAttributeValues).toMatchObject({ ':level': 1, ':minutes': 6_000 });
  });

  it('a first delivery adds the record to every total in one transaction with the marker', async () => {
    stub(120);
    ddb.on(TransactWriteCommand).resolves({});

    const result = await run();

    expect(result.batchItemFailures).toEqual([]);
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const items = writes[0].args[0].input.TransactItems!;
    expect(items[0].Put?.Item).toMatchObject(keys.tallyMarker(recordId));
    // Last: the check that the volunteer's name consent is still as read (none here).
    const consentCheck = items[items.length - 1].ConditionCheck;
    expect(consentCheck?.Key).toEqual(keys.consentState('volunteer', volunteerId, 'public-name'));
    expect(consentCheck?.ConditionExpression).toBe('attribute_not_exists(pk)');
    const updatedKeys = items.slice(1, -1).map((i) => i.Update?.Key);
    expect(updatedKeys).toEqual(
      expect.arrayContaining([
        keys.volunteerTally(volunteerId, 'ALL'),
        keys.volunteerTally(volunteerId, '2025'),
        keys.teamTally(teamId, 'ALL'),
        keys.teamTally(teamId, '2025'),
        keys.orgTally('sz', 'ALL'),
        keys.orgTally('futian', '2025'),
        keys.orgTally('futian.yuanling', 'ALL'),
      ]),
    );
    // Between the counters and the consent: the checks that the name is still the volunteer's (name-correction.test.ts).
    for (const item of items.slice(1, -1).filter((i) => i.Update)) expect(item.Update?.ExpressionAttributeValues?.[':m']).toBe(120);
    // Without a public-name consent the volunteer's tallies say the name is not public.
    const volunteerTallies = items.filter((i) => i.Update?.Key?.pk === keys.volunteerTallyPk(volunteerId));
    expect(volunteerTallies).toHaveLength(2);
    for (const t of volunteerTallies) expect(Object.values(t.Update!.ExpressionAttributeValues!)).toContain(false);
  });

  it('a volunteer with a public-name consent gets namePublic on their tallies, checked against the consent version read', async () => {
    stub(120);
    ddb
      .on(GetCommand, { Key: keys.consentState('volunteer', volunteerId, 'public-name') })
      .resolves({ Item: { ...keys.consentState('volunteer', volunteerId, 'public-name'), granted: true, version: 3 } });
    ddb.on(TransactWriteCommand).resolves({});
    expect((await run()).batchItemFailures).toEqual([]);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    const volunteerTallies = items.filter((i) => i.Update?.Key?.pk === keys.volunteerTallyPk(volunteerId));
    for (const t of volunteerTallies) expect(Object.values(t.Update!.ExpressionAttributeValues!)).toContain(true);
    const check = items[items.length - 1].ConditionCheck!;
    expect(check.ConditionExpression).toBe('version = :v');
    expect(check.ExpressionAttributeValues).toEqual({ ':v': 3 });
  });

  it('a consent withdrawn between reading it and tallying makes the tally read it again (no stale public name)', async () => {
    stub(120);
    const stateKey = keys.consentState('volunteer', volunteerId, 'public-name');
    ddb
      .on(GetCommand, { Key: stateKey })
      .resolvesOnce({ Item: { ...stateKey, granted: true, version: 1 } })
      .resolves({ Item: { ...stateKey, granted: false, version: 2 } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(...Array(13).fill('None'), 'ConditionalCheckFailed'))
      .resolves({});
    const result = await run();
    expect(result.batchItemFailures).toEqual([]);
    const writes = ddb.commandCalls(TransactWriteCommand);
    // The cancelled transaction's last item is the consent check; the retry uses the new state.
    expect(writes).toHaveLength(2);
    const items = writes[1].args[0].input.TransactItems!;
    expect(items[items.length - 1].ConditionCheck!.ExpressionAttributeValues).toEqual({ ':v': 2 });
    const volunteerTallies = items.filter((i) => i.Update?.Key?.pk === keys.volunteerTallyPk(volunteerId));
    for (const t of volunteerTallies) expect(Object.values(t.Update!.ExpressionAttributeValues!)).toContain(false);
  });

  it('a record that is not verified is not tallied', async () => {
    ddb.on(GetCommand, { Key: keys.hourRecord(recordId) }).resolves({ Item: { ...verified, status: 'pending' } });
    const result = await run();
    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a transaction failing for another reason fails the message so it is retried', async () => {
    stub(120);
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError'));
    const result = await handler(
      sqsEvent([
        { messageId: 'm1', body: JSON.stringify({ hourRecordId: recordId }) },
        { messageId: 'm2', body: JSON.stringify({ hourRecordId: newId() }) },
      ]),
      lambdaContext('tally-awards'),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
