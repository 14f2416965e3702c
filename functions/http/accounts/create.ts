/**
 * POST /v1/accounts — an admin creates an account for a phone with its first role grant. Who may
 * grant which role where: shared/domain/accounts.ts. Audited in the same transaction.
 */
import { createAccountByAdmin } from '../../../shared/data/accounts.js';
import { accountView } from '../../../shared/http/account-view.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { anchorOf, assertMayGrant, assertOrgExists } from '../../../shared/operations/grants.js';
import { createAccountBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'account:create',
  body: createAccountBody,
  handle: async ({ body, principal, authorize }) => {
    const orgUnitId = await anchorOf(body.role, body.scope, body.phone);
    authorize({ orgUnitId });
    assertMayGrant(principal, body.role, orgUnitId);
    await assertOrgExists(body.role, orgUnitId);
    const found = await createAccountByAdmin({ phone: body.phone, grant: { role: body.role, scope: body.scope, orgUnitId }, actor: principal });
    return created(accountView(found));
  },
});
