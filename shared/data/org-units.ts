/** Org tree: city → district → street → community. */
import { GetCommand, PutCommand } from '../aws/dynamodb.js';
import { orgLevelOf, orgPathOf, parentOf } from '../domain/access.js';
import { notFound } from '../errors.js';
import { db, isConditionFailure, table } from './client.js';
import { keys, withoutKeys } from './keys.js';
import { queryPage } from './query.js';

export interface OrgUnit {
  id: string;
  name: string;
  nameEn?: string;
  code?: string;
  level: 'city' | 'district' | 'street' | 'community';
  parentId: string | null;
  path: string;
}

const ORG_UNIT = { zh: '组织节点', en: 'Org unit' };

export const toOrgUnit = (input: { id: string; name: string; nameEn?: string; code?: string }): OrgUnit => ({
  ...input,
  level: orgLevelOf(input.id),
  parentId: parentOf(input.id),
  path: orgPathOf(input.id).join('/'),
});

/** Writes the unit unless it exists already; returns whether it was written. */
export const putOrgUnitIfAbsent = async (unit: OrgUnit): Promise<boolean> => {
  try {
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...keys.orgUnit(unit.id),
          ...(unit.parentId ? keys.orgChildrenIndex(unit.parentId, unit.id) : {}),
          type: 'OrgUnit',
          ...unit,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

export const findOrgUnit = async (id: string): Promise<OrgUnit | undefined> => {
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.orgUnit(id) }));
  return out.Item ? (withoutKeys(out.Item) as unknown as OrgUnit) : undefined;
};

export const getOrgUnit = async (id: string): Promise<OrgUnit> => {
  const unit = await findOrgUnit(id);
  if (!unit) throw notFound(ORG_UNIT);
  return unit;
};

export const listChildren = async (parentId: string, limit: number, cursor?: string) => {
  const page = await queryPage<Record<string, unknown>>({
    index: 'gsi1',
    pkName: 'gsi1pk',
    pk: keys.orgChildrenPk(parentId),
    limit,
    cursor,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as OrgUnit) };
};

/**
 * Lists "at or under node X" answer an unknown X with 404, not an empty list. Only an empty first
 * page costs the extra GetItem, so read routes stay within two requests.
 */
export const requireKnownNodeIfEmpty = async (page: { items: unknown[] }, orgUnitId: string, cursor?: string) => {
  if (page.items.length === 0 && !cursor) await getOrgUnit(orgUnitId);
};
