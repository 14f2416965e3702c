/**
 * POST /v1/deletion-requests/{id}/decide — an admin over the volunteer's node accepts (the
 * personal data is erased; what is kept and why: shared/domain/rights.ts) or rejects.
 * Accepting again an accepted request whose erasure was interrupted finishes it; a finished one
 * answers as it is.
 */
import { decideRequest } from '../../../shared/domain/rights.js';
import { acceptDeletion, getRequest, rejectRequest } from '../../../shared/data/rights.js';
import { openStoredIdNumber } from '../../../shared/data/volunteers.js';
import { conflict } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { requestView } from '../../../shared/http/rights-view.js';
import { idParams } from '../../../shared/schemas/common.js';
import { decideBody } from '../../../shared/schemas/rights.js';

export const handler = httpRoute({
  action: 'rights:review',
  params: idParams,
  body: decideBody,
  handle: async ({ params, body, principal, authorize }) => {
    const request = await getRequest(params.id, 'deletion');
    authorize({ orgUnitId: request.orgUnitId });
    const resuming = request.status === 'accepted' && body.decision === 'accept';
    if (!resuming) {
      const next = decideRequest(request.status, body.decision);
      if (!next.ok) throw conflict({ zh: '该申请已处理', en: next.detail });
    }
    const result =
      body.decision === 'accept'
        ? // The identity number is opened only to find its uniqueness item, never returned or logged.
          await acceptDeletion(request, principal, body.note, openStoredIdNumber)
        : await rejectRequest(request, principal, body.note);
    return ok(requestView(result, principal));
  },
});
