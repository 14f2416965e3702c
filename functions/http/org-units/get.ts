/** GET /v1/org-units/{id} */
import { getOrgUnit } from '../../../shared/data/org-units.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { orgIdParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'org:read',
  params: orgIdParams,
  handle: async ({ params }) => ok(await getOrgUnit(params.id)),
});
