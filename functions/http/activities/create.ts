/** POST /v1/activities — a draft activity of a team; its leader or an admin over it. */
import { requireManage } from '../../../shared/domain/access.js';
import { createActivity } from '../../../shared/data/activities.js';
import { getTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { createActivityBody } from '../../../shared/schemas/activities.js';

export const handler = httpRoute({
  body: createActivityBody,
  handle: async ({ body, principal }) => {
    const team = await getTeam(body.teamId);
    requireManage(principal, { orgUnitId: team.orgUnitId, teamId: team.id });
    return created(await createActivity({ ...body, orgUnitId: team.orgUnitId, createdBy: principal.subject }));
  },
});
