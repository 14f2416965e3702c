/** GET /v1/accounts/{id} — the account itself, or an admin over one of its grants' nodes. */
import { CITY_ID } from '../../../shared/domain/access.js';
import { getAccount } from '../../../shared/data/accounts.js';
import { accountView } from '../../../shared/http/account-view.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'account:read',
  params: idParams,
  handle: async ({ params, authorize }) => {
    const found = await getAccount(params.id);
    // An account without grants is a resident of the city: only city admins are over it.
    const [first, ...rest] = found.grants.map((g) => g.orgUnitId);
    authorize({ accountId: found.account.id, orgUnitId: first ?? CITY_ID, alsoOrgUnitIds: rest });
    return ok(accountView(found));
  },
});
