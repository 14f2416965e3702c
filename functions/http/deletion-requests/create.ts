/**
 * POST /v1/me/deletion-request — a volunteer asks for their personal data to be deleted (PIPL
 * art. 47); an admin over their node decides. One open request at a time (409 otherwise).
 */
import { createDeletionRequest } from '../../../shared/data/rights.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { requestView } from '../../../shared/http/rights-view.js';
import { deletionBody } from '../../../shared/schemas/rights.js';

export const handler = httpRoute({
  action: 'rights:request',
  body: deletionBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ volunteerId: principal.volunteerId });
    const volunteer = await getVolunteer(principal.volunteerId!);
    const request = await createDeletionRequest({
      volunteerId: volunteer.id,
      orgUnitId: volunteer.orgUnitId,
      ...(principal.accountId ? { accountId: principal.accountId } : {}),
      ...(body?.reason ? { reason: body.reason } : {}),
      requestedBy: principal.subject,
    });
    return created(requestView(request, principal));
  },
});
