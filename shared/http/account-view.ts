/** How an account leaves the API: the phone masked, the openid never. */
import { maskPhone } from '../domain/identity.js';
import type { AccountWithGrants } from '../data/accounts.js';
import type { Grant } from '../domain/accounts.js';

export const grantView = (g: Grant) => ({ id: g.id, role: g.role, scope: g.scope, orgUnitId: g.orgUnitId, grantedAt: g.grantedAt, grantedBy: g.grantedBy });

export const accountView = ({ account, grants }: AccountWithGrants) => ({
  id: account.id,
  phone: account.phone ? maskPhone(account.phone) : null,
  wechatBound: account.wechatBound === true,
  volunteerId: account.volunteerId ?? null,
  grants: grants.map(grantView),
  createdAt: account.createdAt,
});
