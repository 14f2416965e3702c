/** GET /v1/activities?orgUnitId=&from=&to= — at or under the node, by start time. */
import { listActivitiesUnder } from '../../../shared/data/activities.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { listActivitiesQuery } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  action: 'activity:read',
  query: listActivitiesQuery,
  handle: async ({ query }) => ok(await listActivitiesUnder(query)),
});
