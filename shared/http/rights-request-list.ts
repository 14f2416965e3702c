/**
 * GET /v1/org-units/{id}/correction-requests and /deletion-requests: the same list of a
 * person's rights requests at or under the node, oldest first, for admins over it.
 */
import { requireKnownNodeIfEmpty } from '../data/org-units.js';
import { listRequestsUnder } from '../data/rights.js';
import { httpRoute, ok } from './route.js';
import { requestView } from './rights-view.js';
import { orgIdParams } from '../schemas/common.js';
import { requestListQuery } from '../schemas/rights.js';

export const rightsRequestListRoute = (kind: 'correction' | 'deletion') =>
  httpRoute({
    action: 'rights:review',
    params: orgIdParams,
    query: requestListQuery,
    handle: async ({ params, query, principal, authorize }) => {
      authorize({ orgUnitId: params.id });
      const page = await listRequestsUnder({ kind, orgUnitId: params.id, status: query.status, limit: query.limit, cursor: query.cursor });
      await requireKnownNodeIfEmpty(page, params.id, query.cursor);
      return ok({ items: page.items.map((r) => requestView(r, principal)), nextCursor: page.nextCursor });
    },
  });
