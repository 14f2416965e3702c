/** POST /v1/teams — an admin registers a team at a node under their scope. */
import { requireManage } from '../../../shared/domain/access.js';
import { createTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { createTeamBody } from '../../../shared/schemas/teams.js';

export const handler = httpRoute({
  body: createTeamBody,
  handle: async ({ body, principal }) => {
    requireManage(principal, { orgUnitId: body.orgUnitId });
    return created(await createTeam(body));
  },
});
