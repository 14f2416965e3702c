/**
 * The one authorization policy: which role may perform which action, and where. Every HTTP
 * route declares its action (httpRoute's `action`); handlers describe the record they act on
 * (a Target) and `authorize` decides. The matrix test (test/unit/policy.test.ts) walks every
 * route × role × inside/outside scope through this table.
 *
 * Where a role may act:
 * - `anywhere`  any record (public programme information such as the org tree or rankings);
 * - `node`      records whose org node lies at or under the caller's scope node (admins);
 * - `team`      records of the caller's own team, and its members (team leaders);
 * - `self`      records about the caller themselves (volunteers);
 * - `account`   the caller's own login account.
 *
 * Who may grant which role where is finer than an action: shared/domain/accounts.ts.
 */
import { forbidden } from '../errors.js';
import { isWithin, type Principal, type Role, type Target } from './access.js';

export type Where = 'anywhere' | 'node' | 'team' | 'self' | 'account';

export const ACTIONS = [
  'org:read',
  'team:read',
  'team:create',
  'team:manage-members',
  'volunteer:create',
  'volunteer:read',
  'activity:read',
  'activity:create',
  'activity:manage',
  'enrollment:manage',
  'attendance:manage',
  'hours:read',
  'hours:back-fill',
  'ranking:read',
  'account:create',
  'account:read',
  'account:grant',
  'auth:switch',
  'me:read',
  'rights:request',
  'rights:review',
  'audit:read',
  'consent:read',
  'consent:manage',
  'beneficiary:create',
  'beneficiary:read',
  'beneficiary:read-sensitive',
  'beneficiary:update-sensitive',
] as const;
export type Action = (typeof ACTIONS)[number];

const ADMINS = { city_admin: ['node'], district_admin: ['node'], station_liaison: ['node'] } as const;
const EVERYONE = {
  city_admin: ['anywhere'],
  district_admin: ['anywhere'],
  station_liaison: ['anywhere'],
  team_leader: ['anywhere'],
  volunteer: ['anywhere'],
  beneficiary: ['anywhere'],
  assessor: ['anywhere'],
} as const;

export const POLICY: Record<Action, Partial<Record<Role, readonly Where[]>>> = {
  'org:read': EVERYONE,
  'team:read': EVERYONE,
  'activity:read': EVERYONE,
  'ranking:read': EVERYONE,
  'team:create': ADMINS,
  'team:manage-members': { ...ADMINS, team_leader: ['team'] },
  'volunteer:create': ADMINS,
  'volunteer:read': { ...ADMINS, team_leader: ['team'], volunteer: ['self'] },
  'activity:create': { ...ADMINS, team_leader: ['team'] },
  'activity:manage': { ...ADMINS, team_leader: ['team'] },
  'enrollment:manage': { ...ADMINS, team_leader: ['team'], volunteer: ['self'] },
  'attendance:manage': { ...ADMINS, team_leader: ['team'], volunteer: ['self'] },
  'hours:read': { ...ADMINS, team_leader: ['team'], volunteer: ['self'] },
  'hours:back-fill': { ...ADMINS, team_leader: ['team'] },
  // Granting is further limited by assertMayGrant (shared/domain/accounts.ts).
  'account:create': ADMINS,
  'account:grant': ADMINS,
  'account:read': {
    city_admin: ['node', 'account'],
    district_admin: ['node', 'account'],
    station_liaison: ['node', 'account'],
    team_leader: ['account'],
    volunteer: ['account'],
    beneficiary: ['account'],
    assessor: ['account'],
  },
  // Any signed-in account may switch among its own grants; the handler checks the grant is the caller's.
  'auth:switch': EVERYONE,
  // Data-subject rights (shared/domain/rights.ts). Anyone signed in reads and exports what is
  // held about themselves; the handlers read only the caller's own records.
  'me:read': EVERYONE,
  // Correction and deletion are asked for by the volunteer themselves (acting under their volunteer grant).
  'rights:request': { volunteer: ['self'] },
  // Decided by an admin over the person's node.
  'rights:review': ADMINS,
  'audit:read': ADMINS,
  // Consent (shared/domain/consent.ts): admins over the person's node record it on paper; a
  // volunteer records and withdraws their own.
  'consent:read': { ...ADMINS, volunteer: ['self'] },
  'consent:manage': { ...ADMINS, volunteer: ['self'] },
  // Beneficiaries: the admins who serve them, within their node.
  'beneficiary:create': ADMINS,
  'beneficiary:read': ADMINS,
  // Sensitive details (health, disability, hardship; shared/domain/personal-data.ts): the roles
  // that serve the beneficiary, and only with the beneficiary's current consent. Team leaders
  // will join once care tasks assign them to a beneficiary; volunteers and assessors never.
  'beneficiary:read-sensitive': { city_admin: ['node'], district_admin: ['node'], station_liaison: ['node'] },
  'beneficiary:update-sensitive': { city_admin: ['node'], district_admin: ['node'], station_liaison: ['node'] },
};

const reaches = (p: Principal, where: Where, target: Target): boolean => {
  switch (where) {
    case 'anywhere':
      return true;
    case 'node':
      // A record may belong to more than one node (an hour record: the activity's and the volunteer's).
      return !!p.scope && [target.orgUnitId, ...(target.alsoOrgUnitIds ?? [])].some((node) => !!node && isWithin(node, p.scope!));
    case 'team':
      return (!!p.scope && target.teamId === p.scope) || target.memberOfCallersTeam === true;
    case 'self':
      return !!p.volunteerId && p.volunteerId === target.volunteerId;
    case 'account':
      return !!p.accountId && p.accountId === target.accountId;
  }
};

export const isAllowed = (p: Principal, action: Action, target: Target = {}) =>
  (POLICY[action][p.role] ?? []).some((where) => reaches(p, where, target));

/** Does the role get this action anywhere at all (before looking at a record)? */
export const roleMayEver = (role: Role, action: Action) => (POLICY[action][role] ?? []).length > 0;

/** Throws the one 403 unless the policy allows it; says nothing about what lies outside scope. */
export const authorize = (p: Principal, action: Action, target: Target = {}) => {
  if (!isAllowed(p, action, target)) throw forbidden();
};
