/**
 * POST /v1/me/correction-requests — a volunteer asks for their name, phone, skills or veteran
 * details to be corrected (PIPL art. 46); an admin over their node decides. Hour records are
 * not corrected here: they go through hour appeals.
 */
import { createCorrectionRequest } from '../../../shared/data/rights.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { requestView } from '../../../shared/http/rights-view.js';
import { correctionBody } from '../../../shared/schemas/rights.js';

export const handler = httpRoute({
  action: 'rights:request',
  body: correctionBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ volunteerId: principal.volunteerId });
    const volunteer = await getVolunteer(principal.volunteerId!);
    const request = await createCorrectionRequest({
      volunteerId: volunteer.id,
      orgUnitId: volunteer.orgUnitId,
      ...(principal.accountId ? { accountId: principal.accountId } : {}),
      field: body.field,
      proposedValue: body.proposedValue,
      reason: body.reason,
      requestedBy: principal.subject,
    });
    return created(requestView(request, principal));
  },
});
