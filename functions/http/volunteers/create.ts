/** POST /v1/volunteers — an admin registers a volunteer at a node under their scope. */
import { createVolunteer } from '../../../shared/data/volunteers.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { volunteerView } from '../../../shared/http/views.js';
import { createVolunteerBody } from '../../../shared/schemas/volunteers.js';

export const handler = httpRoute({
  action: 'volunteer:create',
  body: createVolunteerBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ orgUnitId: body.orgUnitId });
    return created(volunteerView(await createVolunteer(body), principal));
  },
});
