/**
 * Where a requested grant lies: resolves its scope to the org node it is anchored at (the node
 * itself, the team's node, the volunteer's node) and checks the scope fits the role. Then the
 * caller's right to grant it is decided (assertMayGrant) on that node.
 */
import type { Principal, Role } from '../domain/access.js';
import { mayGrant, orgScopeFits, scopeKindOf } from '../domain/accounts.js';
import { forbidden, invalid, notFound } from '../errors.js';
import { volunteerLinkFor } from '../data/accounts.js';
import { getOrgUnit } from '../data/org-units.js';
import { findTeam } from '../data/teams.js';

const scopeError = (message: string) => invalid({ zh: '授权范围与角色不符', en: 'The scope does not fit the role' }, [{ path: 'scope', message }]);

/**
 * The org node a grant of `role` over `scope` is anchored at. `phone` is the account's: a
 * volunteer grant is only for the volunteer registered with that phone.
 */
export const anchorOf = async (role: Role, scope: string, phone: string | undefined): Promise<string> => {
  switch (scopeKindOf(role)) {
    case 'org':
      if (!orgScopeFits(role, scope)) throw scopeError(`${role} cannot be scoped to ${scope}: wrong org level`);
      return scope;
    case 'team': {
      const team = await findTeam(scope);
      if (!team) throw notFound({ zh: '队伍', en: 'Team' });
      return team.orgUnitId;
    }
    case 'volunteer': {
      const link = phone ? await volunteerLinkFor(phone) : undefined;
      if (!link || link.volunteerId !== scope) throw scopeError('the volunteer role is only for the volunteer registered with the account’s phone');
      return link.orgUnitId;
    }
  }
};

/** Throws the bare 403 unless `actor` may grant (or revoke) `role` at `orgUnitId`. */
export const assertMayGrant = (actor: Principal, role: Role, orgUnitId: string) => {
  if (!mayGrant(actor, { role, orgUnitId })) throw forbidden();
};

/** An org-scoped grant's node must exist. */
export const assertOrgExists = async (role: Role, orgUnitId: string) => {
  if (scopeKindOf(role) === 'org') await getOrgUnit(orgUnitId);
};
