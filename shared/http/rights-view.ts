/** How requests and audit entries leave the API. */
import type { Principal } from '../domain/access.js';
import { phoneFor } from '../domain/personal-data.js';
import type { AuditEntry } from '../data/audit.js';
import type { RightsRequest } from '../data/rights.js';

/** A request as `viewer` may see it: a proposed phone follows the phone rule (full for liaisons and the person). */
export const requestView = (r: RightsRequest, viewer: Principal) => ({
  id: r.id,
  kind: r.kind,
  volunteerId: r.volunteerId,
  orgUnitId: r.orgUnitId,
  ...(r.field ? { field: r.field } : {}),
  ...(r.proposedValue !== undefined
    ? { proposedValue: r.field === 'phone' && typeof r.proposedValue === 'string' ? phoneFor(viewer, r.volunteerId, r.proposedValue) : r.proposedValue }
    : {}),
  ...(r.reason ? { reason: r.reason } : {}),
  status: r.status,
  createdAt: r.createdAt,
  ...(r.decidedAt ? { decidedAt: r.decidedAt, decidedBy: r.decidedBy ?? null } : {}),
  ...(r.note ? { note: r.note } : {}),
  ...(r.erasedAt ? { erasedAt: r.erasedAt } : {}),
  ...(r.propagatedAt ? { propagatedAt: r.propagatedAt } : {}),
});

/** Audit entries are stored with personal values already masked (shared/domain/rights.ts maskForAudit). */
export const auditView = (e: AuditEntry) => ({
  id: e.id,
  at: e.at,
  actor: e.actor,
  action: e.action,
  target: e.target,
  before: e.before ?? null,
  after: e.after ?? null,
  orgUnitId: e.orgUnitId,
  ...(e.about ? { about: e.about } : {}),
});
