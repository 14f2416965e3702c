/** GET /v1/org-units/{id}/deletion-requests?status= — deletion requests at or under the node, oldest first (admins over it). */
import { listRequestsUnder } from '../../../shared/data/rights.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { requestView } from '../../../shared/http/rights-view.js';
import { orgIdParams } from '../../../shared/schemas/common.js';
import { requestListQuery } from '../../../shared/schemas/rights.js';

export const handler = httpRoute({
  action: 'rights:review',
  params: orgIdParams,
  query: requestListQuery,
  handle: async ({ params, query, principal, authorize }) => {
    authorize({ orgUnitId: params.id });
    const page = await listRequestsUnder({ kind: 'deletion', orgUnitId: params.id, status: query.status, limit: query.limit, cursor: query.cursor });
    return ok({ items: page.items.map((r) => requestView(r, principal)), nextCursor: page.nextCursor });
  },
});
