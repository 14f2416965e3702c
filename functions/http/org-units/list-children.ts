/** GET /v1/org-units/{id}/children */
import { getOrgUnit, listChildren } from '../../../shared/data/org-units.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { orgIdParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'org:read',
  params: orgIdParams,
  query: pageQuery,
  handle: async ({ params, query }) => {
    const page = await listChildren(params.id, query.limit, query.cursor);
    // An empty page of an unknown node is a 404, not an empty list.
    if (page.items.length === 0 && !query.cursor) await getOrgUnit(params.id);
    return ok(page);
  },
});
