/**
 * Login accounts and their role grants, as pure rules: who may grant (or revoke) which role
 * where, and which grant a fresh token acts under. No AWS imports; tested directly.
 *
 * A grant is a role with a scope. What the scope names depends on the role:
 * - city_admin, district_admin, station_liaison: an org node (at the city / a district / a
 *   street or community);
 * - beneficiary, assessor: the org node they belong to;
 * - team_leader: a team id;
 * - volunteer: the volunteer id the account is (linked by phone).
 * Every grant is anchored at one org node (`orgUnitId`): the scope itself, or the team's or
 * volunteer's node. Granting and revoking are decided on that anchor.
 */
import { isWithin, orgLevelOf, type Principal, type Role } from './access.js';

export interface Grant {
  id: string;
  role: Role;
  /** Org node, team id or volunteer id, as above. */
  scope: string;
  /** The org node the grant lies under. */
  orgUnitId: string;
  grantedAt: string;
  /** Account id of the admin who granted it, or 'system' (volunteer link at login). */
  grantedBy: string;
}

export type ScopeKind = 'org' | 'team' | 'volunteer';

/** What a role's scope names. */
export const scopeKindOf = (role: Role): ScopeKind =>
  role === 'team_leader' ? 'team' : role === 'volunteer' ? 'volunteer' : 'org';

/** The org levels an org-scoped role may sit at; undefined = any. */
const ORG_LEVELS_FOR: Partial<Record<Role, readonly string[]>> = {
  city_admin: ['city'],
  district_admin: ['district'],
  station_liaison: ['street', 'community'],
};

/** Is the org node a fitting scope for the role (a district admin at a district, …)? */
export const orgScopeFits = (role: Role, orgUnitId: string) => {
  const levels = ORG_LEVELS_FOR[role];
  return !levels || levels.includes(orgLevelOf(orgUnitId));
};

/**
 * The roles each admin role may hand out; where is then limited to the admin's own scope.
 * "The admin above them": city admins anything; district admins the roles below them; station
 * liaisons only team leaders; team leaders and everyone else nothing.
 */
export const GRANTABLE: Partial<Record<Role, readonly Role[]>> = {
  city_admin: ['city_admin', 'district_admin', 'station_liaison', 'team_leader', 'volunteer', 'beneficiary', 'assessor'],
  district_admin: ['station_liaison', 'team_leader', 'volunteer', 'beneficiary'],
  station_liaison: ['team_leader'],
};

/** May `actor` grant (or revoke) `role` anchored at `orgUnitId`? */
export const mayGrant = (actor: Principal, grant: { role: Role; orgUnitId: string }) => {
  if (!(GRANTABLE[actor.role] ?? []).includes(grant.role)) return false;
  if (!actor.scope) return false;
  return isWithin(grant.orgUnitId, actor.scope);
};

/** The grant a login token acts under: the one asked for if the account holds it, else the first granted. */
export const pickGrant = (grants: readonly Grant[], preferredId?: string): Grant | undefined =>
  (preferredId ? grants.find((g) => g.id === preferredId) : undefined) ??
  [...grants].sort((a, b) => (a.grantedAt === b.grantedAt ? a.id.localeCompare(b.id) : a.grantedAt.localeCompare(b.grantedAt)))[0];

/**
 * The principal a token carries for an account acting under a grant. An account without grants
 * is a resident (beneficiary) with no scope: it may read public information and its own account.
 */
export const principalFor = (account: { id: string }, grant: Grant | undefined, sessionId?: string): Principal => {
  const base = { subject: account.id, accountId: account.id, sessionId };
  if (!grant) return { ...base, role: 'beneficiary' };
  const kind = scopeKindOf(grant.role);
  return {
    ...base,
    role: grant.role,
    grantId: grant.id,
    scope: kind === 'volunteer' ? undefined : grant.scope,
    volunteerId: kind === 'volunteer' ? grant.scope : undefined,
  };
};

/** Is an identical grant (same role and scope) already held? */
export const holdsGrant = (grants: readonly Grant[], role: Role, scope: string) => grants.some((g) => g.role === role && g.scope === scope);
