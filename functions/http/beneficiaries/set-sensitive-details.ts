/**
 * PUT /v1/beneficiaries/{id}/sensitive-details — replaces a beneficiary's health, disability and
 * hardship details (sealed at rest). 409 unless their `sensitive-details` consent holds when the
 * write commits.
 */
import { getBeneficiary, setSensitiveDetails } from '../../../shared/data/beneficiaries.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { sensitiveDetailsSchema } from '../../../shared/schemas/beneficiaries.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'beneficiary:update-sensitive',
  params: idParams,
  body: sensitiveDetailsSchema,
  handle: async ({ params, body, principal, authorize }) => {
    const beneficiary = await getBeneficiary(params.id);
    authorize({ orgUnitId: beneficiary.orgUnitId });
    await setSensitiveDetails(beneficiary, body, principal);
    return ok({ id: beneficiary.id, hasSensitiveDetails: true });
  },
});
