/** DELETE /v1/activities/{id}/enrollments/{volunteerId} — withdraws; the first waitlisted is promoted. */
import { getActivity } from '../../../shared/data/activities.js';
import { withdraw } from '../../../shared/data/enrollments.js';
import { httpRoute, noContent } from '../../../shared/http/route.js';
import { enrollmentParams } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  action: 'enrollment:manage',
  params: enrollmentParams,
  handle: async ({ params, authorize }) => {
    const activity = await getActivity(params.id);
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId, volunteerId: params.volunteerId });
    await withdraw(activity.id, params.volunteerId);
    return noContent();
  },
});
