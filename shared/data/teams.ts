/** Teams and their members. */
import { GetCommand, TransactWriteCommand } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import type { Principal } from '../domain/access.js';
import { conflict, notFound } from '../errors.js';
import { recordAudit } from './audit.js';
import { db, failedConditionIndex, table } from './client.js';
import { volunteerTakesPart, whyNotTakingPart } from './participation.js';
import { keys, levelQuery, withoutKeys } from './keys.js';
import { queryPage } from './query.js';

export interface Team {
  id: string;
  name: string;
  orgUnitId: string;
  specialty: string;
  slogan?: string;
  memberCount: number;
  createdAt: string;
}

export interface TeamMember {
  teamId: string;
  volunteerId: string;
  role: 'member' | 'leader';
  joinedAt: string;
}

export const TEAM = { zh: '队伍', en: 'Team' };
export const ORG_UNIT = { zh: '组织节点', en: 'Org unit' };
export const VOLUNTEER = { zh: '志愿者', en: 'Volunteer' };

export const createTeam = async (input: { name: string; orgUnitId: string; specialty: string; slogan?: string }, actor: Principal) => {
  const team: Team = { id: ulid(), memberCount: 0, createdAt: new Date().toISOString(), ...input };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          // The org unit must exist; checked in the same transaction, not read first.
          { ConditionCheck: { TableName: table(), Key: keys.orgUnit(input.orgUnitId), ConditionExpression: 'attribute_exists(pk)' } },
          {
            Put: {
              TableName: table(),
              Item: { ...keys.team(team.id), ...keys.teamLevels(team.orgUnitId, team.id), type: 'Team', ...team },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          recordAudit({ actor, action: 'team.create', target: { type: 'team', id: team.id }, before: null, after: team, orgUnitId: team.orgUnitId }),
        ],
      }),
    );
  } catch (error) {
    if (failedConditionIndex(error) === 0) throw notFound(ORG_UNIT);
    throw error;
  }
  return team;
};

export const findTeam = async (id: string): Promise<Team | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.team(id) }));
  return out.Item ? (withoutKeys(out.Item) as unknown as Team) : undefined;
};

export const getTeam = async (id: string) => {
  const team = await findTeam(id);
  if (!team) throw notFound(TEAM);
  return team;
};

export const listTeamsUnder = async (orgUnitId: string, limit: number, cursor?: string) => {
  const q = levelQuery('TEAM', orgUnitId);
  const page = await queryPage<Record<string, unknown>>({ index: q.index, pkName: q.pkName, pk: q.pk, limit, cursor });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as Team) };
};

export const addMember = async (team: Pick<Team, 'id' | 'orgUnitId'>, volunteerId: string, role: 'member' | 'leader', actor: Principal) => {
  const teamId = team.id;
  const member: TeamMember = { teamId, volunteerId, role, joinedAt: new Date().toISOString() };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          volunteerTakesPart(volunteerId),
          {
            Put: {
              TableName: table(),
              Item: { ...keys.teamMember(teamId, volunteerId), ...keys.volunteerTeamsIndex(volunteerId, teamId), type: 'TeamMember', ...member },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // The counter moves in the same transaction as the membership, so it cannot drift.
          {
            Update: {
              TableName: table(),
              Key: keys.team(teamId),
              UpdateExpression: 'ADD memberCount :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          recordAudit({
            actor,
            action: 'team.member.add',
            target: { type: 'team', id: teamId },
            before: null,
            after: member,
            orgUnitId: team.orgUnitId,
            about: { type: 'volunteer', id: volunteerId },
          }),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditionIndex(error);
    if (failed === 0) throw whyNotTakingPart(error, 0) ?? notFound(VOLUNTEER);
    if (failed === 1) throw conflict({ zh: '该志愿者已是本队成员', en: 'The volunteer is already a member of this team' });
    if (failed === 2) throw notFound(TEAM);
    throw error;
  }
  return member;
};
