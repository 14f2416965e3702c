import { GetCommand, QueryCommand, TransactWriteCommand } from '../../shared/aws/dynamodb.js';
import { SendMessageCommand } from '../../shared/aws/sqs.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AWARD_TALLY_QUEUE_URL,
  activityItem,
  cancelled,
  ddb,
  hourRecordItem,
  lambdaContext,
  newId,
  resetMocks,
  sqs,
  sqsEvent,
} from './helpers.js';
import { keys } from '../../shared/data/keys.js';
import { handler } from '../../functions/queue/verify-hours.js';

const volunteerId = newId();
const activityId = newId();
const teamId = newId();
const recordId = newId();
const otherId = newId();

const activity = activityItem({ id: activityId, teamId, startsAt: '2025-03-01T01:00:00.000Z', endsAt: '2025-03-01T05:00:00.000Z' });
const record = hourRecordItem({ id: recordId, volunteerId, activityId, teamId, startedAt: '2025-03-01T01:00:00.000Z', endedAt: '2025-03-01T03:00:00.000Z' });

const stub = (opts: { record?: Record<string, unknown>; nearby?: Record<string, unknown>[]; ledgerVersion?: number } = {}) => {
  const rec = opts.record ?? record;
  ddb.on(GetCommand, { Key: keys.hourRecord(rec.id as string) }).resolves({ Item: rec });
  ddb
    .on(GetCommand, { Key: keys.volunteerLedger(volunteerId) })
    .resolves(opts.ledgerVersion ? { Item: { ...keys.volunteerLedger(volunteerId), version: opts.ledgerVersion } } : {});
  ddb.on(GetCommand, { Key: keys.activity(activityId) }).resolves({ Item: activity });
  ddb.on(QueryCommand).resolves({ Items: opts.nearby ?? [rec] });
  ddb.on(TransactWriteCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
};

const run = (bodies: Array<{ messageId?: string; body: string }>) => handler(sqsEvent(bodies), lambdaContext('verify-hours'));
const message = (hourRecordId: string) => ({ body: JSON.stringify({ hourRecordId }) });

beforeEach(resetMocks);

describe('verify-hours queue consumer', () => {
  it('rejects a record that overlaps another verified record with OVERLAPS_OTHER_RECORD, under the ledger lock, and tallies nothing', async () => {
    const other = hourRecordItem({
      id: otherId,
      volunteerId,
      activityId: newId(),
      startedAt: '2025-03-01T02:00:00.000Z',
      endedAt: '2025-03-01T04:00:00.000Z',
      status: 'verified',
      minutes: 120,
    });
    stub({ nearby: [record, other], ledgerVersion: 3 });

    const result = await run([message(recordId)]);

    expect(result.batchItemFailures).toEqual([]);
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const [ledger, decision] = writes[0].args[0].input.TransactItems!;
    expect(ledger.Update?.Key).toEqual(keys.volunteerLedger(volunteerId));
    expect(ledger.Update?.ExpressionAttributeValues).toMatchObject({ ':current': 3, ':next': 4 });
    expect(decision.Update?.Key).toEqual(keys.hourRecord(recordId));
    expect(decision.Update?.ExpressionAttributeValues).toMatchObject({
      ':status': 'rejected',
      ':pending': 'pending',
      ':reason': 'OVERLAPS_OTHER_RECORD',
    });
    expect(decision.Update?.ExpressionAttributeValues?.[':detail']).toContain(otherId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);

    // The volunteer's records were read from the by-volunteer index around the record.
    const query = ddb.commandCalls(QueryCommand)[0].args[0].input;
    expect(query.IndexName).toBe('gsi1');
    expect(Object.values(query.ExpressionAttributeValues ?? {})).toContain(keys.volunteerHoursPk(volunteerId));
  });

  it('a record overlapping only a rejected record is verified and sent to the tally queue', async () => {
    const rejected = hourRecordItem({
      id: otherId,
      volunteerId,
      activityId: newId(),
      startedAt: '2025-03-01T02:00:00.000Z',
      endedAt: '2025-03-01T04:00:00.000Z',
      status: 'rejected',
    });
    stub({ nearby: [record, rejected] });

    const result = await run([message(recordId)]);

    expect(result.batchItemFailures).toEqual([]);
    const [ledger, decision] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(ledger.Update?.ExpressionAttributeValues).toMatchObject({ ':next': 1 });
    expect(ledger.Update?.ExpressionAttributeValues).not.toHaveProperty(':current');
    expect(decision.Update?.ExpressionAttributeValues).toMatchObject({ ':status': 'verified', ':minutes': 120 });
    const sends = sqs.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0].args[0].input.QueueUrl).toBe(AWARD_TALLY_QUEUE_URL);
    expect(JSON.parse(sends[0].args[0].input.MessageBody!)).toEqual({ hourRecordId: recordId });
  });

  it('a malformed message is reported in batchItemFailures while a good one in the same batch is not', async () => {
    const decided = { ...record, status: 'rejected', reason: 'TOO_LONG' };
    stub({ record: decided });

    const result = await run([
      { messageId: 'bad-json', body: '{"hourRecordId": ' },
      { messageId: 'good', ...message(recordId) },
      { messageId: 'bad-shape', body: JSON.stringify({ id: recordId }) },
    ]);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad-json' }, { itemIdentifier: 'bad-shape' }]);
    // The good message was processed: its record was read.
    expect(ddb.commandCalls(GetCommand, { Key: keys.hourRecord(recordId) })).toHaveLength(1);
  });

  it('an already-verified record is not decided again but is re-sent to the tally queue', async () => {
    stub({ record: { ...record, status: 'verified', minutes: 120, verifiedAt: '2025-03-02T00:00:00.000Z' } });

    const result = await run([message(recordId)]);

    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    const sends = sqs.commandCalls(SendMessageCommand);
    expect(sends).toHaveLength(1);
    expect(sends[0].args[0].input.QueueUrl).toBe(AWARD_TALLY_QUEUE_URL);
    expect(JSON.parse(sends[0].args[0].input.MessageBody!)).toEqual({ hourRecordId: recordId });
  });

  it('an already-rejected record is neither decided again nor tallied', async () => {
    stub({ record: { ...record, status: 'rejected', reason: 'TOO_LONG' } });
    const result = await run([message(recordId)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('when the ledger moved meanwhile, it looks again and decides from fresh data (no message is lost or doubled)', async () => {
    stub({ ledgerVersion: 3 });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None')).resolves({});
    const result = await run([message(recordId)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('a message for a record that does not exist is dropped, not retried', async () => {
    ddb.on(GetCommand).resolves({});
    const result = await run([message(newId())]);
    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
