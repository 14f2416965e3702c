/** GET /v1/beneficiaries/{id}/consents — the beneficiary's consent records, newest first (admins over them). */
import { getConsentSubject, listConsents } from '../../../shared/data/consents.js';
import { consentView } from '../../../shared/http/consent-views.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';
import { consentListQuery } from '../../../shared/schemas/consents.js';

export const handler = httpRoute({
  action: 'consent:read',
  params: idParams,
  query: consentListQuery,
  handle: async ({ params, query, principal, authorize }) => {
    const subject = await getConsentSubject('beneficiary', params.id);
    authorize({ orgUnitId: subject.orgUnitId });
    const page = await listConsents('beneficiary', subject.id, query.limit, query.cursor);
    return ok({ items: page.items.map((r) => consentView(r, principal)), nextCursor: page.nextCursor });
  },
});
