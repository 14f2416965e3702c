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
import { table } from './client.js';
import { keys } from './keys.js';

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
}

export interface AuditInput {
  actor: Principal;
  action: string;
  target: AuditEntry['target'];
  before: unknown;
  after: unknown;
  orgUnitId: string;
}

/** A TransactWriteItems entry that writes the audit item; put it into the change's transaction. */
export const recordAudit = ({ actor, action, target, before, after, orgUnitId }: AuditInput, now = new Date()) => {
  const entry: AuditEntry = {
    id: ulid(now.getTime()),
    at: now.toISOString(),
    actor: { subject: actor.subject, accountId: actor.accountId, role: actor.role, scope: actor.scope },
    action,
    target,
    before: before ?? null,
    after: after ?? null,
    orgUnitId,
  };
  return {
    Put: {
      TableName: table(),
      Item: { ...keys.audit(entry.id), ...keys.auditLevels(orgUnitId, entry.at, entry.id), type: 'Audit', ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
};
