/**
 * GET /v1/audit?orgUnitId=&from=&to=&limit=&cursor= — audit entries at or under a node, newest
 * first (admins over the node; `orgUnitId` defaults to the caller's scope). One Query on the
 * by-level index of the node's level.
 */
import { listAuditUnder } from '../../../shared/data/audit.js';
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { invalid } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { auditView } from '../../../shared/http/rights-view.js';
import { auditQuery } from '../../../shared/schemas/rights.js';

export const handler = httpRoute({
  action: 'audit:read',
  query: auditQuery,
  handle: async ({ query, principal, authorize }) => {
    const orgUnitId = query.orgUnitId ?? principal.scope;
    if (!orgUnitId) throw invalid({ zh: '缺少 orgUnitId', en: 'orgUnitId is required' }, [{ path: 'orgUnitId', message: 'Required' }]);
    authorize({ orgUnitId });
    const page = await listAuditUnder({ orgUnitId, from: query.from, to: query.to, limit: query.limit, cursor: query.cursor });
    await requireKnownNodeIfEmpty(page, orgUnitId, query.cursor);
    return ok({ items: page.items.map(auditView), nextCursor: page.nextCursor });
  },
});
