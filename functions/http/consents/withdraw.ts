/**
 * POST /v1/consents/{id}/withdraw — withdraws a consent in force, at once: a withdrawn
 * `public-name` masks the volunteer's name on rankings in the same transaction, a withdrawn
 * `sensitive-details` erases the beneficiary's sensitive details (shared/data/consents.ts).
 */
import { getConsentRecord, withdrawConsent } from '../../../shared/data/consents.js';
import { consentView } from '../../../shared/http/consent-views.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'consent:manage',
  params: idParams,
  handle: async ({ params, principal, authorize }) => {
    const record = await getConsentRecord(params.id);
    authorize({ orgUnitId: record.orgUnitId, ...(record.subjectType === 'volunteer' ? { volunteerId: record.subjectId } : {}) });
    return ok(consentView(await withdrawConsent(record, principal), principal));
  },
});
