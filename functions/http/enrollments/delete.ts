/** DELETE /v1/activities/{id}/enrollments/{volunteerId} — withdraws; the first waitlisted is promoted. */
import { requireManage } from '../../../shared/domain/access.js';
import { getActivity } from '../../../shared/data/activities.js';
import { withdraw } from '../../../shared/data/enrollments.js';
import { httpRoute, noContent } from '../../../shared/http/route.js';
import { enrollmentParams } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  params: enrollmentParams,
  handle: async ({ params, principal }) => {
    const activity = await getActivity(params.id);
    requireManage(principal, { orgUnitId: activity.orgUnitId, teamId: activity.teamId, volunteerId: params.volunteerId }, { selfAllowed: true });
    await withdraw(activity.id, params.volunteerId);
    return noContent();
  },
});
