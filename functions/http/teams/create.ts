/** POST /v1/teams — an admin registers a team at a node under their scope. */
import { createTeam } from '../../../shared/data/teams.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { createTeamBody } from '../../../shared/schemas/teams.js';

export const handler = httpRoute({
  action: 'team:create',
  body: createTeamBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ orgUnitId: body.orgUnitId });
    return created(await createTeam(body, principal));
  },
});
