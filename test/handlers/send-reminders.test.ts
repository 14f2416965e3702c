import { QueryCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, activityItem, cancelled, ddb, isoIn, newId, resetMocks } from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import { handler } from '../../functions/scheduled/send-reminders.js';

const teamId = newId();
const published = activityItem({ id: newId(), teamId, startsAt: isoIn(3 * HOUR), endsAt: isoIn(5 * HOUR), status: 'published' });
const draft = activityItem({ id: newId(), teamId, startsAt: isoIn(4 * HOUR), endsAt: isoIn(6 * HOUR), status: 'draft' });
const cancelledActivity = activityItem({ id: newId(), teamId, startsAt: isoIn(5 * HOUR), endsAt: isoIn(7 * HOUR), status: 'cancelled' });
const volunteers = [newId(), newId(), newId()];

const enrollmentItem = (activityId: string, volunteerId: string) => ({
  ...keys.enrollment(activityId, volunteerId),
  type: 'Enrollment',
  activityId,
  volunteerId,
  status: 'enrolled',
  enrolledAt: isoIn(-24 * HOUR),
});

const stub = () => {
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(QueryCommand, { IndexName: 'by-city' }).resolves({ Items: [published, draft, cancelledActivity] });
  ddb
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': keys.activity(published.id).pk } })
    .resolves({ Items: volunteers.map((v) => enrollmentItem(published.id, v)) });
  ddb.on(TransactWriteCommand).resolves({});
};

/** The outbox put of each reminder transaction, and the volunteer check in front of it. */
const transactions = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
const puts = () => transactions().map((items) => items[1].Put!);
/** Answers the reminder transactions for `volunteerId` with `outcomes` in turn (the last repeats), the others with success. */
const failFor = (volunteerId: string, ...outcomes: (Error | undefined)[]) => {
  let calls = 0;
  ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems: { ConditionCheck?: { Key: unknown } }[] }) => {
    if (JSON.stringify(input.TransactItems[0].ConditionCheck?.Key) !== JSON.stringify(keys.volunteer(volunteerId))) return {};
    const outcome = outcomes[Math.min(calls++, outcomes.length - 1)];
    if (outcome) throw outcome;
    return {};
  });
};

beforeEach(resetMocks);

describe('send-reminders schedule', () => {
  it('queues one notification per enrolled volunteer of a published activity, each guarded by attribute_not_exists', async () => {
    stub();

    const result = await handler();

    expect(result).toMatchObject({ activities: 1, queued: 3, skipped: 0 });
    expect(puts()).toHaveLength(3);
    for (const put of puts()) {
      expect(put.ConditionExpression).toMatch(/attribute_not_exists\(/);
      expect(put.Item).toMatchObject({ status: 'pending', template: 'activity-reminder', subject: { type: 'activity', id: published.id } });
    }
    expect(puts().map((p) => p.Item!.recipientVolunteerId).sort()).toEqual([...volunteers].sort());
    // Each put goes with a check that its recipient is not being erased, on the same volunteer.
    for (const [check, { Put }] of transactions()) {
      expect(check.ConditionCheck!.Key).toEqual(keys.volunteer(Put!.Item!.recipientVolunteerId as string));
      expect(check.ConditionCheck!.ConditionExpression).toMatch(/attribute_not_exists\(erasing\)/);
    }
    // One key per (activity, volunteer, start): running again cannot queue a second one.
    const pks = puts().map((p) => p.Item!.pk);
    expect(new Set(pks).size).toBe(3);
    for (const v of volunteers) expect(pks.some((pk) => pk.includes(published.id) && pk.includes(v))).toBe(true);
    // Enrollments of the draft and cancelled activities are never read.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('a reminder already queued (the put\'s condition fails) is skipped, not an error', async () => {
    stub();
    failFor(volunteers[1], cancelled('None', 'ConditionalCheckFailed'));

    const result = await handler();

    expect(result).toMatchObject({ activities: 1, queued: 2, skipped: 1 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('a volunteer whose data is being erased (the check fails) gets no reminder, even from enrollments read before', async () => {
    stub();
    failFor(volunteers[2], cancelled('ConditionalCheckFailed', 'None'));

    const result = await handler();

    expect(result).toMatchObject({ activities: 1, queued: 2, skipped: 1 });
  });

  it('a transaction conflict on the volunteer item is retried, not skipped', async () => {
    stub();
    failFor(volunteers[0], cancelled('TransactionConflict', 'None'), undefined);

    const result = await handler();

    expect(result).toMatchObject({ activities: 1, queued: 3, skipped: 0 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it('any other failure on put is an error (so the run is retried), not a silent skip', async () => {
    stub();
    failFor(volunteers[1], new Error('boom'));
    await expect(handler()).rejects.toThrow('boom');
  });

  it('reads enrollments page by page', async () => {
    stub();
    const enrolledPk = keys.activity(published.id).pk;
    const lastKey = keys.enrollment(published.id, volunteers[1]);
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': enrolledPk } })
      .resolvesOnce({ Items: volunteers.slice(0, 2).map((v) => enrollmentItem(published.id, v)), LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [enrollmentItem(published.id, volunteers[2])] });

    const result = await handler();

    expect(result).toMatchObject({ queued: 3 });
    const enrolledQueries = ddb.commandCalls(QueryCommand, { ExpressionAttributeValues: { ':pk': enrolledPk } });
    expect(enrolledQueries).toHaveLength(2);
    expect(enrolledQueries[1].args[0].input.ExclusiveStartKey).toEqual(lastKey);
  });
});
