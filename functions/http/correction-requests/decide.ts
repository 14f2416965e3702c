/**
 * POST /v1/correction-requests/{id}/decide — an admin over the volunteer's node accepts (the
 * change is applied in the same transaction, audited with before and after masked) or rejects.
 * An accepted name then reaches its copies (hour records, rankings); accepting again an accepted
 * request whose propagation was interrupted finishes it; a finished one answers as it is.
 */
import { decideRequest } from '../../../shared/domain/rights.js';
import { acceptCorrection, getRequest, rejectRequest } from '../../../shared/data/rights.js';
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
    const request = await getRequest(params.id, 'correction');
    authorize({ orgUnitId: request.orgUnitId });
    const resuming = request.status === 'accepted' && body.decision === 'accept';
    if (!resuming) {
      const next = decideRequest(request.status, body.decision);
      if (!next.ok) throw conflict({ zh: '该申请已处理', en: next.detail });
    }
    const result =
      body.decision === 'accept' ? await acceptCorrection(request, principal, body.note) : await rejectRequest(request, principal, body.note);
    return ok(requestView(result, principal));
  },
});
