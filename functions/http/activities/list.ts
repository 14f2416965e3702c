/** GET /v1/activities?orgUnitId=&from=&to= — at or under the node, by start time. */
import { listActivitiesUnder } from '../../../shared/data/activities.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { listActivitiesQuery } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  action: 'activity:read',
  query: listActivitiesQuery,
  handle: async ({ query }) => {
    const page = await listActivitiesUnder(query);
    return ok({ items: page.items.map(activityView), nextCursor: page.nextCursor });
  },
});
