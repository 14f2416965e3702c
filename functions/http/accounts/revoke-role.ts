/**
 * DELETE /v1/accounts/{id}/roles/{grantId} — revokes a grant; only an admin who could have
 * granted it may. Audited in the same transaction. Access tokens already issued for the grant
 * run out within their 15 minutes; refreshes no longer issue it.
 */
import { GRANT, getAccount, revokeGrant } from '../../../shared/data/accounts.js';
import { notFound } from '../../../shared/errors.js';
import { httpRoute, noContent } from '../../../shared/http/route.js';
import { assertMayGrant } from '../../../shared/operations/grants.js';
import { grantParams } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'account:grant',
  params: grantParams,
  handle: async ({ params, principal, authorize }) => {
    const found = await getAccount(params.id);
    const grant = found.grants.find((g) => g.id === params.grantId);
    if (!grant) throw notFound(GRANT);
    authorize({ orgUnitId: grant.orgUnitId });
    assertMayGrant(principal, grant.role, grant.orgUnitId);
    await revokeGrant(found, grant, principal);
    return noContent();
  },
});
