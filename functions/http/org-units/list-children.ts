/** GET /v1/org-units/{id}/children */
import { listChildren, requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { orgIdParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'org:read',
  params: orgIdParams,
  query: pageQuery,
  handle: async ({ params, query }) => {
    const page = await listChildren(params.id, query.limit, query.cursor);
    await requireKnownNodeIfEmpty(page, params.id, query.cursor);
    return ok(page);
  },
});
