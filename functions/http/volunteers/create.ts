/** POST /v1/volunteers — an admin (or a team leader, inside their team's node) registers a volunteer. */
import { isWithin, requireManage } from '../../../shared/domain/access.js';
import { forbidden } from '../../../shared/errors.js';
import { findTeam } from '../../../shared/data/teams.js';
import { createVolunteer } from '../../../shared/data/volunteers.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { volunteerView } from '../../../shared/http/views.js';
import { createVolunteerBody } from '../../../shared/schemas/volunteers.js';

export const handler = httpRoute({
  body: createVolunteerBody,
  handle: async ({ body, principal }) => {
    if (principal.role === 'team_leader') {
      const team = principal.scope ? await findTeam(principal.scope) : undefined;
      if (!team || !isWithin(body.orgUnitId, team.orgUnitId)) throw forbidden();
    } else {
      requireManage(principal, { orgUnitId: body.orgUnitId });
    }
    return created(volunteerView(await createVolunteer(body)));
  },
});
