/** POST /v1/teams/{id}/members — the team's leader or an admin over the team adds a volunteer. */
import { requireManage } from '../../../shared/domain/access.js';
import { addMember, getTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';
import { addMemberBody } from '../../../shared/schemas/teams.js';

export const handler = httpRoute({
  params: idParams,
  body: addMemberBody,
  handle: async ({ params, body, principal }) => {
    const team = await getTeam(params.id);
    requireManage(principal, { orgUnitId: team.orgUnitId, teamId: team.id });
    return created(await addMember(team.id, body.volunteerId, body.role));
  },
});
