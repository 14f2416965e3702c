/** GET /v1/org-units/{id}/teams — teams at or under the node. */
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { listTeamsUnder } from '../../../shared/data/teams.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { orgIdParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'team:read',
  params: orgIdParams,
  query: pageQuery,
  handle: async ({ params, query }) => {
    const page = await listTeamsUnder(params.id, query.limit, query.cursor);
    await requireKnownNodeIfEmpty(page, params.id, query.cursor);
    return ok(page);
  },
});
