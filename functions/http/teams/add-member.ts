/** POST /v1/teams/{id}/members — the team's leader or an admin over the team adds a volunteer. */
import { addMember, getTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';
import { addMemberBody } from '../../../shared/schemas/teams.js';

export const handler = httpRoute({
  action: 'team:manage-members',
  params: idParams,
  body: addMemberBody,
  handle: async ({ params, body, authorize }) => {
    const team = await getTeam(params.id);
    authorize({ orgUnitId: team.orgUnitId, teamId: team.id });
    return created(await addMember(team.id, body.volunteerId, body.role));
  },
});
