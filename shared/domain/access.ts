/**
 * Who may act where: roles and scopes, as pure rules. A user's scope is an org node (admins),
 * a team (team leaders) or themselves (volunteers); they act on what lies under it.
 *
 * Org ids encode their ancestry: the city is `sz`, a district `futian`, a street
 * `futian.yuanling`, a community `futian.yuanling.<slug>`. So the path of any node, and
 * whether it lies under another, is known without reading the database.
 */
import type { OrgLevel } from '../table.js';

export const ROLES = [
  'city_admin',
  'district_admin',
  'station_liaison',
  'team_leader',
  'volunteer',
  'beneficiary',
  'assessor',
] as const;
export type Role = (typeof ROLES)[number];

export const ADMIN_ROLES: readonly Role[] = ['city_admin', 'district_admin', 'station_liaison'];

export interface Principal {
  subject: string;
  role: Role;
  /** Org node id for admins, team id for team leaders. */
  scope?: string;
  /** The volunteer this user is, when they are one. */
  volunteerId?: string;
  /** The account behind the token (absent on dev tokens). */
  accountId?: string;
  /** The grant of that account the token acts under. */
  grantId?: string;
  /** The refresh-token family (login session) the token was issued in. */
  sessionId?: string;
}

export const CITY_ID = 'sz';
const LEVELS: OrgLevel[] = ['city', 'district', 'street', 'community'];

/** Ancestors of a node, city first, the node itself last. */
export const orgPathOf = (orgId: string): string[] => {
  if (orgId === CITY_ID) return [CITY_ID];
  const parts = orgId.split('.');
  return [CITY_ID, ...parts.map((_, i) => parts.slice(0, i + 1).join('.'))];
};

export const orgLevelOf = (orgId: string): OrgLevel => LEVELS[Math.min(orgPathOf(orgId).length - 1, LEVELS.length - 1)];

export const parentOf = (orgId: string): string | null => {
  const path = orgPathOf(orgId);
  return path.length > 1 ? path[path.length - 2] : null;
};

/** Is `orgId` the node `scopeId` or one of its descendants? */
export const isWithin = (orgId: string, scopeId: string) => orgPathOf(orgId).includes(scopeId);

export const isAdmin = (p: Principal) => ADMIN_ROLES.includes(p.role);

/** The thing being acted on, described by what the rules need. */
export interface Target {
  /** Org node the record belongs to. */
  orgUnitId?: string;
  /** Team the record belongs to (activities, memberships). */
  teamId?: string;
  /** Volunteer the record is about. */
  volunteerId?: string;
  /** The volunteer is a member of the caller's team (a team leader reading a member). */
  memberOfCallersTeam?: boolean;
  /** Further org nodes the record belongs to (an hour record: the volunteer's as well as the activity's). */
  alsoOrgUnitIds?: string[];
  /** The account the record is (a user reading their own account). */
  accountId?: string;
}
