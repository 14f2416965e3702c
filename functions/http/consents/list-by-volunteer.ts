/** GET /v1/volunteers/{id}/consents — the volunteer's consent records, newest first (the volunteer, or admins over them). */
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
    const subject = await getConsentSubject('volunteer', params.id);
    authorize({ orgUnitId: subject.orgUnitId, volunteerId: subject.id });
    const page = await listConsents('volunteer', subject.id, query.limit, query.cursor);
    return ok({ items: page.items.map((r) => consentView(r, principal)), nextCursor: page.nextCursor });
  },
});
