/** POST /v1/activities — a draft activity of a team; its leader or an admin over it. */
import { createActivity } from '../../../shared/data/activities.js';
import { getTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { createActivityBody } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  action: 'activity:create',
  body: createActivityBody,
  handle: async ({ body, principal, authorize }) => {
    const team = await getTeam(body.teamId);
    authorize({ orgUnitId: team.orgUnitId, teamId: team.id });
    return created(activityView(await createActivity({ ...body, orgUnitId: team.orgUnitId, createdBy: principal.subject }, principal)));
  },
});
