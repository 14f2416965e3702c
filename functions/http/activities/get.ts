/** GET /v1/activities/{id} */
import { getActivity } from '../../../shared/data/activities.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'activity:read',
  params: idParams,
  handle: async ({ params }) => ok(activityView(await getActivity(params.id))),
});
