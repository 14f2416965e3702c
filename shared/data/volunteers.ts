/** Volunteers, with phone and identity-number uniqueness enforced by the database. */
import { createHash } from 'node:crypto';
import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { conflict, notFound } from '../errors.js';
import { Busy, db, failedConditionIndex, table } from './client.js';
import { keys, withoutKeys, type Key } from './keys.js';
import { VOLUNTEER } from './teams.js';

export interface Volunteer {
  id: string;
  volunteerNumber: string;
  name: string;
  phone: string;
  idNumber: string;
  orgUnitId: string;
  veteran?: { branch?: string; enlistmentYear?: number; dischargeYear?: number; partyMember?: boolean };
  skills: string[];
  registeredAt: string;
}

export interface VolunteerTotals {
  verifiedMinutes: number;
  yearMinutes: number;
}

/**
 * The uniqueness key for an identity number is a hash, so the number itself never appears in a
 * key (keys show up in logs and metrics).
 */
const idNumberKeyOf = (idNumber: string) => createHash('sha256').update(`redstar:id:${idNumber}`).digest('hex');

/** Programme number: the public identifier, so the identity number is never needed as one. */
const nextVolunteerNumber = async () => {
  const out = await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.counter('VOLUNTEER'),
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return `SZV${String(out.Attributes?.value ?? 0).padStart(8, '0')}`;
};

export const createVolunteer = async (input: Omit<Volunteer, 'id' | 'volunteerNumber' | 'registeredAt'>) => {
  const volunteer: Volunteer = {
    id: ulid(),
    volunteerNumber: await nextVolunteerNumber(),
    registeredAt: new Date().toISOString(),
    ...input,
  };
  const unique = (key: Key) => ({
    Put: { TableName: table(), Item: { ...key, type: 'Unique', volunteerId: volunteer.id }, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: table(), Key: keys.orgUnit(input.orgUnitId), ConditionExpression: 'attribute_exists(pk)' } },
          unique(keys.uniquePhone(volunteer.phone)),
          unique(keys.uniqueIdNumber(idNumberKeyOf(volunteer.idNumber))),
          { Put: { TableName: table(), Item: { ...keys.volunteer(volunteer.id), type: 'Volunteer', ...volunteer } } },
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw notFound({ zh: '组织节点', en: 'Org unit' });
    if (failed === 1) throw conflict({ zh: '该手机号已注册', en: 'A volunteer with this phone is already registered' });
    if (failed === 2) throw conflict({ zh: '该身份证号已注册', en: 'A volunteer with this identity number is already registered' });
    throw error;
  }
  return volunteer;
};

/**
 * BatchGet may leave keys unprocessed under load; ask again (briefly backing off) rather than
 * answer with a missing volunteer or zero totals, and say Busy if it never completes.
 */
const batchGetAll = async (wanted: Key[]) => {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] | undefined = wanted.map((key) => ({ ...key }));
  for (let attempt = 0; pending?.length; attempt++) {
    if (attempt === 4) throw new Busy();
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending } } }));
    items.push(...(out.Responses?.[table()] ?? []));
    pending = out.UnprocessedKeys?.[table()]?.Keys;
  }
  return items;
};

/**
 * A volunteer with their lifetime and current-year totals, and (for a team leader) whether they
 * belong to the leader's team: one BatchGet, one round trip.
 */
export const readVolunteer = async (id: string, year: number, leaderTeamId?: string) => {
  const wanted: Key[] = [keys.volunteer(id), keys.volunteerTally(id, 'ALL'), keys.volunteerTally(id, `${year}`)];
  if (leaderTeamId) wanted.push(keys.teamMember(leaderTeamId, id));
  const items = await batchGetAll(wanted);
  const find = (key: Key) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const volunteer = find(wanted[0]);
  if (!volunteer) throw notFound(VOLUNTEER);
  return {
    volunteer: withoutKeys(volunteer) as unknown as Volunteer,
    totals: {
      verifiedMinutes: (find(wanted[1])?.minutes as number) ?? 0,
      yearMinutes: (find(wanted[2])?.minutes as number) ?? 0,
    } satisfies VolunteerTotals,
    memberOfLeadersTeam: leaderTeamId ? !!find(wanted[3]) : false,
  };
};

/** Just the volunteer, for authorization checks and denormalised names. */
export const getVolunteer = async (id: string): Promise<Volunteer> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.volunteer(id) }));
  if (!out.Item) throw notFound(VOLUNTEER);
  return withoutKeys(out.Item) as unknown as Volunteer;
};
