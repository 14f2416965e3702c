/**
 * An accepted name correction reaching the copies of the name: the denormalised `volunteerName`
 * on the volunteer's hour records and `name` on their tallies (which the rankings show). Team
 * memberships, enrollments, attendance, notifications and accounts hold no name; audit entries
 * keep the masked name of their time on purpose.
 *
 * Runs after the correction's transaction has committed, in transactions of at most 100 items,
 * each write conditional, so an interrupted run is simply run again (the request's
 * `propagatedAt` marks it finished). It always writes the volunteer's *current* name, and every
 * batch checks that name is still current: a later correction's own propagation then owns the
 * copies, and a batch of the earlier one can never land after it.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { DELETED_VOLUNTEER_NAME } from '../domain/rights.js';
import { db, failedConditionIndex, retryOnConflict, table } from './client.js';
import { keys, type Key } from './keys.js';
import { queryAll } from './query.js';
import type { RightsRequest } from './rights.js';

/** Copies per transaction: one slot goes to the check on the volunteer (DynamoDB allows 100). */
const BATCH = 99;


const keyOf = (item: Record<string, unknown>): Key => ({ pk: String(item.pk), sk: String(item.sk) });

/**
 * Writes the updates in transactions, each with a check that the volunteer still has `name` and
 * is not erased. False when a condition failed: the name changed again (that correction
 * propagates itself) or erasure has begun (it removes or pseudonymises every copy itself).
 */
const inBatches = async (volunteerId: string, name: string, updates: Record<string, unknown>[]) => {
  const stillCurrent = {
    ConditionCheck: {
      TableName: table(),
      Key: keys.volunteer(volunteerId),
      ConditionExpression: '#name = :name AND attribute_not_exists(erasedAt)',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': name },
    },
  };
  for (let i = 0; i < updates.length; i += BATCH) {
    const items = [stillCurrent, ...updates.slice(i, i + BATCH)];
    try {
      await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: items as never })));
    } catch (error) {
      if (failedConditionIndex(error) >= 0) return false;
      throw error;
    }
  }
  return true;
};

/** Brings every copy of the volunteer's name up to their current name. Idempotent. */
export const propagateVolunteerName = async (volunteerId: string) => {
  const out = await db.send(
    new GetCommand({
      TableName: table(),
      Key: keys.volunteer(volunteerId),
      ConsistentRead: true,
      ProjectionExpression: '#name, erasedAt',
      ExpressionAttributeNames: { '#name': 'name' },
    }),
  );
  // Erased (or never there): erasure has dealt with the copies.
  if (!out.Item || out.Item.erasedAt || typeof out.Item.name !== 'string') return;
  const name = out.Item.name;

  // 1. Hour records. A record without a name lost it to erasure; the condition keeps it so.
  const records = await queryAll('gsi1', keys.volunteerHoursPk(volunteerId));
  const recordsDone = await inBatches(
    volunteerId,
    name,
    records
      .filter((r) => typeof r.volunteerName === 'string' && r.volunteerName !== name)
      .map((r) => ({
        Update: {
          TableName: table(),
          Key: keyOf(r),
          UpdateExpression: 'SET volunteerName = :name',
          ConditionExpression: 'attribute_exists(volunteerName)',
          ExpressionAttributeValues: { ':name': name },
        },
      })),
  );
  if (!recordsDone) return;

  // 2. Tallies (the rankings). A consistent read sees every tally committed before the correction;
  // tallies committed after it check the volunteer's name themselves (shared/data/tallies.ts).
  // The pseudonym is erasure's and stays.
  const tallies = await queryAll(undefined, keys.volunteerTallyPk(volunteerId));
  await inBatches(
    volunteerId,
    name,
    tallies
      .filter((t) => t.name !== name && t.name !== DELETED_VOLUNTEER_NAME)
      .map((t) => ({
        Update: {
          TableName: table(),
          Key: keyOf(t),
          UpdateExpression: 'SET #name = :name',
          ConditionExpression: 'attribute_exists(pk) AND #name <> :pseudonym',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': name, ':pseudonym': DELETED_VOLUNTEER_NAME },
        },
      })),
  );
};

/**
 * After an accepted correction has committed (or when it is decided again): a name correction
 * propagates and is marked `propagatedAt`; other fields have no copies. A finished one is
 * returned as it is.
 */
export const finishCorrection = async (request: RightsRequest): Promise<RightsRequest> => {
  if (request.field !== 'name' || request.propagatedAt) return request;
  await propagateVolunteerName(request.volunteerId);
  const out = await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.rightsRequest(request.id),
      UpdateExpression: 'SET propagatedAt = if_not_exists(propagatedAt, :now)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return { ...request, propagatedAt: String(out.Attributes?.propagatedAt) };
};
