/**
 * The audit trail of administrative changes: one item per change, saying who did what to which
 * record, when, and the record before and after. `recordAudit` returns a transaction item, so
 * the entry is written in the same transaction as the change it describes: no change without
 * its entry, no entry without its change.
 *
 * Entries are listed at or under an org node, newest or oldest first, through the by-level
 * indexes (`levelQuery('AUDIT', nodeId)`, sort key `<at>#<id>`).
 */
import { ulid } from 'ulid';
import type { Principal } from '../domain/access.js';
import { TransactWriteCommand } from '../aws/dynamodb.js';
import { db, table } from './client.js';
import { keys, levelQuery, withoutKeys } from './keys.js';
import { queryPage } from './query.js';

export interface AuditEntry {
  id: string;
  at: string;
  actor: { subject: string; accountId?: string; role: string; scope?: string };
  /** e.g. `account.create`, `grant.add`, `grant.revoke`. */
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  /** The org node the change belongs to (the grant's anchor). */
  orgUnitId: string;
  /** The person the change is about, when it is about one (indexed: their export lists it). */
  about?: { type: 'volunteer' | 'account'; id: string };
}

export interface AuditInput {
  actor: Principal;
  action: string;
  target: AuditEntry['target'];
  before: unknown;
  after: unknown;
  orgUnitId: string;
  /** Defaults to the target when the target is a volunteer or an account. */
  about?: AuditEntry['about'];
}

/** A TransactWriteItems entry that writes the audit item; put it into the change's transaction. */
export const recordAudit = ({ actor, action, target, before, after, orgUnitId, about }: AuditInput, now = new Date()) => {
  const person = about ?? (target.type === 'volunteer' || target.type === 'account' ? { type: target.type, id: target.id } : undefined);
  const entry: AuditEntry = {
    id: ulid(now.getTime()),
    at: now.toISOString(),
    actor: { subject: actor.subject, accountId: actor.accountId, role: actor.role, scope: actor.scope },
    action,
    target,
    before: before ?? null,
    after: after ?? null,
    orgUnitId,
    ...(person ? { about: person } : {}),
  };
  return {
    Put: {
      TableName: table(),
      Item: {
        ...keys.audit(entry.id),
        ...keys.auditLevels(orgUnitId, entry.at, entry.id),
        ...(person ? keys.auditAboutIndex(person, entry.at, entry.id) : {}),
        type: 'Audit',
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
};

/** Writes one audit entry by itself, for an access that changes nothing else (an export). */
export const writeAudit = async (input: AuditInput) => {
  await db.send(new TransactWriteCommand({ TransactItems: [recordAudit(input)] }));
};

/** Audit entries at or under a node whose time lies in [from, to], newest first. */
export const listAuditUnder = async (q: { orgUnitId: string; from?: string; to?: string; limit: number; cursor?: string }) => {
  const where = levelQuery('AUDIT', q.orgUnitId);
  // Sort keys are `<at ISO>#<id>`; '~' sorts after every id character.
  const page = await queryPage<Record<string, unknown>>({
    index: where.index,
    pkName: where.pkName,
    pk: where.pk,
    sortKey: { name: where.skName, expression: '#sk BETWEEN :from AND :to', values: { ':from': q.from ?? '0000', ':to': `${q.to ?? '9999'}~` } },
    limit: q.limit,
    cursor: q.cursor,
    newestFirst: true,
  });
  return { ...page, items: page.items.map((i) => withoutKeys(i) as unknown as AuditEntry) };
};

/** One page of the audit entries about a person (their export). */
export const listAuditAbout = (type: 'volunteer' | 'account', id: string, limit: number, cursor?: string) =>
  queryPage<Record<string, unknown>>({ index: 'gsi2', pkName: 'gsi2pk', pk: keys.auditAboutPk(type, id), limit, cursor }).then((page) => ({
    ...page,
    items: page.items.map((i) => withoutKeys(i) as unknown as AuditEntry),
  }));
