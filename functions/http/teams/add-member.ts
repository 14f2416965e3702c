/**
 * POST /v1/teams/{id}/members — the team's leader or an admin over the team adds a volunteer
 * registered at or under the team's node. The node check keeps a leader from pulling in (and
 * so gaining sight of) volunteers from elsewhere in the city.
 */
import { isWithin } from '../../../shared/domain/access.js';
import { addMember, getTeam } from '../../../shared/data/teams.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { conflict } from '../../../shared/errors.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { refuseErased } from '../../../shared/http/volunteer-reach.js';
import { idParams } from '../../../shared/schemas/common.js';
import { addMemberBody } from '../../../shared/schemas/teams.js';

export const handler = httpRoute({
  action: 'team:manage-members',
  params: idParams,
  body: addMemberBody,
  handle: async ({ params, body, principal, authorize }) => {
    const team = await getTeam(params.id);
    authorize({ orgUnitId: team.orgUnitId, teamId: team.id });
    const volunteer = refuseErased(await getVolunteer(body.volunteerId));
    if (!isWithin(volunteer.orgUnitId, team.orgUnitId)) {
      throw conflict({ zh: '该志愿者不在本队所属区域，不能加入', en: "The volunteer is not registered under the team's org unit" });
    }
    return created(await addMember(team, volunteer.id, body.role, principal));
  },
});
