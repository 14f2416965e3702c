/**
 * POST /v1/accounts/{id}/roles — grants a role with a scope to an account; only an admin above
 * that role and scope may (shared/domain/accounts.ts). Audited in the same transaction.
 */
import { holdsGrant } from '../../../shared/domain/accounts.js';
import { addGrant, getAccount } from '../../../shared/data/accounts.js';
import { conflict } from '../../../shared/errors.js';
import { grantView } from '../../../shared/http/account-view.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { anchorOf, assertMayGrant, assertOrgExists } from '../../../shared/operations/grants.js';
import { grantBody } from '../../../shared/schemas/auth.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'account:grant',
  params: idParams,
  body: grantBody,
  handle: async ({ params, body, principal, authorize }) => {
    const found = await getAccount(params.id);
    const orgUnitId = await anchorOf(body.role, body.scope, found.account.phone);
    authorize({ orgUnitId });
    assertMayGrant(principal, body.role, orgUnitId);
    await assertOrgExists(body.role, orgUnitId);
    if (holdsGrant(found.grants, body.role, body.scope)) {
      throw conflict({ zh: '该账号已有此角色与范围', en: 'The account already holds this role and scope' });
    }
    return created(grantView(await addGrant(found, { role: body.role, scope: body.scope, orgUnitId }, principal)));
  },
});
