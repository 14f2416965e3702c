/** GET /v1/org-units/{id}/beneficiaries — beneficiaries at or under a node in the caller's scope (never their sensitive details). */
import { listBeneficiariesUnder } from '../../../shared/data/beneficiaries.js';
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { beneficiaryView } from '../../../shared/http/consent-views.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { orgIdParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'beneficiary:read',
  params: orgIdParams,
  query: pageQuery,
  handle: async ({ params, query, principal, authorize }) => {
    authorize({ orgUnitId: params.id });
    const page = await listBeneficiariesUnder(params.id, query.limit, query.cursor);
    await requireKnownNodeIfEmpty(page, params.id, query.cursor);
    return ok({ items: page.items.map((b) => beneficiaryView(b, principal)), nextCursor: page.nextCursor });
  },
});
