/**
 * Totals of verified minutes per volunteer, team and org node, lifetime ('ALL') and per
 * Asia/Shanghai year, plus the rankings that the rank-* indexes sort by minutes.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '../aws/dynamodb.js';
import { orgPathOf } from '../domain/access.js';
import { DELETED_VOLUNTEER_NAME } from '../domain/rights.js';
import { shanghaiYear } from '../domain/time.js';
import { db, failedConditionIndex, isConditionFailure, retryOnConflict, table } from './client.js';
import { keys, rankQuery, type Key, type Period } from './keys.js';
import { queryPage } from './query.js';
import type { HourRecord } from './hour-records.js';

const add = (key: Key, minutes: number, set: Record<string, unknown>) => {
  const names = Object.keys(set);
  return {
    Update: {
      TableName: table(),
      Key: key,
      UpdateExpression: `ADD minutes :m, recordCount :one${names.length ? ` SET ${names.map((n, i) => `#a${i} = :v${i}`).join(', ')}` : ''}`,
      ExpressionAttributeNames: names.length ? Object.fromEntries(names.map((n, i) => [`#a${i}`, n])) : undefined,
      ExpressionAttributeValues: { ':m': minutes, ':one': 1, ...Object.fromEntries(names.map((n, i) => [`:v${i}`, set[n]])) },
    },
  };
};

/**
 * Adds a verified record to every total it belongs to, exactly once: the marker item and the
 * counters are one transaction, so a redelivered message finds the marker and adds nothing.
 * Returns false when the record had been tallied already.
 */
/**
 * Whether the volunteer's name may be shown on rankings (their `public-name` consent), and the
 * consent state's version as read (undefined: no state item). The tally writes the flag onto the
 * volunteer's tallies and checks the version in the same transaction (shared/data/consents.ts).
 */
export interface NameConsent {
  namePublic: boolean;
  version?: number;
}

/** The consent changed between reading it and tallying: read it again and retry. */
export class NameConsentChanged extends Error {
  constructor() {
    super('The public-name consent changed while tallying');
    this.name = 'NameConsentChanged';
  }
}

/** The volunteer's name changed (a correction) or erasure began between reading and tallying: read both again. */
export class VolunteerNameChanged extends Error {
  constructor() {
    super("The volunteer's name changed while tallying");
    this.name = 'VolunteerNameChanged';
  }
}

/** The volunteer item as read just before the tally: its current name, and whether it was erased. */
export interface CurrentName {
  name: string;
  erased: boolean;
}

/**
 * The name the volunteer's tallies get. With the volunteer as read (`current`), their current
 * name — the record's copy may predate a correction — unless erasure has begun: it removes the
 * record's copy first (step 2) and marks the volunteer last, so either means the pseudonym.
 * Without `current`, the record's copy (as before name corrections propagated).
 */
const tallyName = (record: HourRecord, current: CurrentName | undefined) => {
  if (record.volunteerName === undefined || current?.erased) return { name: DELETED_VOLUNTEER_NAME, checked: false };
  return current ? { name: current.name, checked: true } : { name: record.volunteerName, checked: false };
};

export const tallyRecord = async (record: HourRecord, nameConsent: NameConsent = { namePublic: false }, current?: CurrentName): Promise<boolean> => {
  const periods: Period[] = ['ALL', `${shanghaiYear(record.startedAt)}`];
  const named = tallyName(record, current);
  // A real name is written only if, at commit, it is still the volunteer's and the record still
  // has its copy. So a tally can never bring back a name a correction replaced (the correction's
  // propagation rewrites every tally committed before it; one committed after it fails here and
  // reads the new name), nor a name erasure removed (erasure strips the records' copies before
  // it pseudonymises the tallies). Checked by the database rather than by ordering, since the
  // consumer runs at any time relative to the correction.
  const nameChecks = named.checked
    ? [
        {
          ConditionCheck: {
            TableName: table(),
            Key: keys.volunteer(record.volunteerId),
            ConditionExpression: '#name = :name AND attribute_not_exists(erasedAt)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': named.name },
          },
        },
        { ConditionCheck: { TableName: table(), Key: keys.hourRecord(record.id), ConditionExpression: 'attribute_exists(volunteerName)' } },
      ]
    : [];
  const items = [
    {
      Put: {
        TableName: table(),
        Item: { ...keys.tallyMarker(record.id), type: 'TallyMarker', minutes: record.minutes, talliedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...periods.flatMap((period) => [
      add(keys.volunteerTally(record.volunteerId, period), record.minutes, {
        type: 'VolunteerTally',
        volunteerId: record.volunteerId,
        // The current name, or the pseudonym once erasure has begun (shared/domain/rights.ts).
        name: named.name,
        orgUnitId: record.volunteerOrgUnitId,
        period,
        namePublic: nameConsent.namePublic,
        ...keys.volunteerRankKeys(record.volunteerOrgUnitId, period),
      }),
      add(keys.teamTally(record.teamId, period), record.minutes, {
        type: 'TeamTally',
        teamId: record.teamId,
        name: record.teamName ?? record.teamId,
        orgUnitId: record.orgUnitId,
        period,
        ...keys.teamRankKeys(record.orgUnitId, period),
      }),
      ...orgPathOf(record.orgUnitId).map((nodeId) =>
        add(keys.orgTally(nodeId, period), record.minutes, { type: 'OrgTally', orgUnitId: nodeId, period }),
      ),
    ]),
    ...nameChecks,
    // Last: the name consent is still as read (a withdrawal in between must not be overwritten).
    {
      ConditionCheck: {
        TableName: table(),
        Key: keys.consentState('volunteer', record.volunteerId, 'public-name'),
        ConditionExpression: nameConsent.version === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
        ...(nameConsent.version === undefined ? {} : { ExpressionAttributeValues: { ':v': nameConsent.version } }),
      },
    },
  ];
  try {
    await retryOnConflict(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    return true;
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) return false;
    if (failed === items.length - 1) throw new NameConsentChanged();
    if (nameChecks.length && failed >= items.length - 1 - nameChecks.length) throw new VolunteerNameChanged();
    throw error;
  }
};

/**
 * Stores the star level computed from the lifetime total just read. The condition makes a
 * stale computation lose to the one made after the latest tally.
 */
export const storeStarLevel = async (volunteerId: string, compute: (minutes: number) => number) => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.volunteerTally(volunteerId, 'ALL'), ConsistentRead: true }));
  const minutes = (out.Item?.minutes as number | undefined) ?? 0;
  if (!out.Item) return 0;
  const level = compute(minutes);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.volunteerTally(volunteerId, 'ALL'),
        UpdateExpression: 'SET starLevel = :level',
        ConditionExpression: 'minutes = :minutes',
        ExpressionAttributeValues: { ':level': level, ':minutes': minutes },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return level;
};

export interface RankingEntry {
  id: string;
  name: string;
  /** The volunteer consents to their name being shown (teams: always). */
  namePublic: boolean;
  minutes: number;
  orgUnitId: string;
}

export const ranking = async (kind: 'volunteers' | 'teams', orgUnitId: string, period: Period, limit: number, cursor?: string) => {
  const q = rankQuery(kind === 'volunteers' ? 'RANKVOL' : 'RANKTEAM', orgUnitId, period);
  const page = await queryPage<Record<string, unknown>>({ index: q.index, pkName: q.pkName, pk: q.pk, limit, cursor, newestFirst: true });
  return {
    ...page,
    items: page.items.map(
      (i): RankingEntry => ({
        id: (kind === 'volunteers' ? i.volunteerId : i.teamId) as string,
        name: i.name as string,
        namePublic: kind === 'teams' || i.namePublic === true,
        minutes: i.minutes as number,
        orgUnitId: i.orgUnitId as string,
      }),
    ),
  };
};

export const orgTotals = async (orgUnitId: string, year: number) => {
  const [all, current] = await Promise.all(
    (['ALL', `${year}`] as Period[]).map((p) => db.send(new GetCommand({ TableName: table(), Key: keys.orgTally(orgUnitId, p) }))),
  );
  return { verifiedMinutes: (all.Item?.minutes as number) ?? 0, yearMinutes: (current.Item?.minutes as number) ?? 0 };
};

