/**
 * The one table's shape, declared once. The CDK stack, the local runtime (which creates the
 * table in DynamoDB Local) and the data-access layer all read this object.
 * docs/data-model.md lists the access patterns each index serves.
 */
export interface IndexDeclaration {
  name: string;
  partitionKey: string;
  sortKey: { name: string; type: 'S' | 'N' };
}

/** Org-tree levels that get an index of their own: a list "at or under node X" queries the index of X's level. */
export const ORG_LEVELS = ['city', 'district', 'street', 'community'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

const levelIndex = (level: OrgLevel): IndexDeclaration => ({
  name: `by-${level}`,
  partitionKey: `${level}Pk`,
  sortKey: { name: `${level}Sk`, type: 'S' },
});

/** Ranking indexes: partition per (org node of that level, period), sorted by minutes. */
const rankIndex = (level: OrgLevel): IndexDeclaration => ({
  name: `rank-${level}`,
  partitionKey: `${level}RankPk`,
  sortKey: { name: 'minutes', type: 'N' },
});

export const TABLE = {
  /** Logical id in CDK; the physical name is generated in AWS and passed as TABLE_NAME. */
  logicalName: 'Table',
  localName: 'redstar',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** DynamoDB TTL: epoch seconds after which DynamoDB deletes the item (login codes, rate windows, sessions). */
  ttlAttribute: 'expiresAt',
  /** A general-purpose index for one-to-many lookups (a volunteer's hour records, an activity's waitlist). */
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: { name: 'gsi1sk', type: 'S' } },
    /** Everything about one person (enrollments, attendance, notifications, sessions, requests, audit entries), for /v1/me/export and erasure. */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: { name: 'gsi2sk', type: 'S' } },
    ...ORG_LEVELS.map(levelIndex),
    ...ORG_LEVELS.map(rankIndex),
  ] satisfies IndexDeclaration[],
} as const;

export const levelIndexName = (level: OrgLevel) => `by-${level}`;
export const rankIndexName = (level: OrgLevel) => `rank-${level}`;
