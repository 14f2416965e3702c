/**
 * GET /v1/activities?orgUnitId=&from=&to= — at or under the node, by start time. Drafts are
 * listed only for an admin whose scope covers the node; an unknown node is a 404.
 */
import { listActivitiesUnder } from '../../../shared/data/activities.js';
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { isAdmin } from '../../../shared/domain/access.js';
import { isAllowed } from '../../../shared/domain/policy.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { listActivitiesQuery } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  action: 'activity:read',
  query: listActivitiesQuery,
  handle: async ({ query, principal }) => {
    const includeDrafts = isAdmin(principal) && isAllowed(principal, 'activity:manage', { orgUnitId: query.orgUnitId });
    const page = await listActivitiesUnder({ ...query, includeDrafts });
    // As list-children: an empty first page of an unknown node is a 404, not an empty list.
    await requireKnownNodeIfEmpty(page, query.orgUnitId, query.cursor);
    return ok({ items: page.items.map(activityView), nextCursor: page.nextCursor });
  },
});
