/**
 * GET /v1/activities/{id} — a draft is seen only by those who may manage it (admins over its
 * node, its team's leader); to everyone else it does not exist (404, as if absent).
 */
import { ACTIVITY, getActivity } from '../../../shared/data/activities.js';
import { isAllowed } from '../../../shared/domain/policy.js';
import { notFound } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'activity:read',
  params: idParams,
  handle: async ({ params, principal }) => {
    const activity = await getActivity(params.id);
    if (activity.status === 'draft' && !isAllowed(principal, 'activity:manage', { orgUnitId: activity.orgUnitId, teamId: activity.teamId })) {
      throw notFound(ACTIVITY);
    }
    return ok(activityView(activity));
  },
});
