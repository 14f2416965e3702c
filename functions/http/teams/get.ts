/** GET /v1/teams/{id} */
import { getTeam } from '../../../shared/data/teams.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'team:read',
  params: idParams,
  handle: async ({ params }) => ok(await getTeam(params.id)),
});
