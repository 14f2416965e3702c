import { describe, expect, it } from 'vitest';
import { type Principal, type Role } from '../../shared/domain/access.js';
import { GRANTABLE, holdsGrant, mayGrant, orgScopeFits, pickGrant, principalFor, scopeKindOf, type Grant } from '../../shared/domain/accounts.js';

const city: Principal = { subject: 'a', role: 'city_admin', scope: 'sz' };
const futian: Principal = { subject: 'b', role: 'district_admin', scope: 'futian' };
const yuanling: Principal = { subject: 'c', role: 'station_liaison', scope: 'futian.yuanling' };
const leader: Principal = { subject: 'd', role: 'team_leader', scope: '01JD0000000000000000000000' };
const volunteer: Principal = { subject: 'e', role: 'volunteer', volunteerId: '01JD0000000000000000000001' };

describe('who may grant what where', () => {
  it('a city admin may grant every role anywhere in the city', () => {
    for (const role of ['city_admin', 'district_admin', 'station_liaison', 'team_leader', 'volunteer', 'beneficiary', 'assessor'] as Role[]) {
      expect(mayGrant(city, { role, orgUnitId: 'luohu.dongmen' }), role).toBe(true);
    }
  });

  it('a district admin may grant the roles below them, only inside their district', () => {
    for (const role of ['station_liaison', 'team_leader', 'volunteer', 'beneficiary'] as Role[]) {
      expect(mayGrant(futian, { role, orgUnitId: 'futian.yuanling' }), role).toBe(true);
      expect(mayGrant(futian, { role, orgUnitId: 'futian' }), role).toBe(true);
      expect(mayGrant(futian, { role, orgUnitId: 'luohu.dongmen' }), `${role} in luohu`).toBe(false);
      expect(mayGrant(futian, { role, orgUnitId: 'sz' }), `${role} at the city`).toBe(false);
    }
  });

  it('a district admin may not create admins of their own level or above, nor assessors', () => {
    for (const role of ['city_admin', 'district_admin', 'assessor'] as Role[]) {
      expect(mayGrant(futian, { role, orgUnitId: 'futian.yuanling' }), role).toBe(false);
    }
  });

  it('a station liaison may grant only team leaders, only under their node', () => {
    expect(mayGrant(yuanling, { role: 'team_leader', orgUnitId: 'futian.yuanling' })).toBe(true);
    expect(mayGrant(yuanling, { role: 'team_leader', orgUnitId: 'futian.yuanling.some-community' })).toBe(true);
    expect(mayGrant(yuanling, { role: 'team_leader', orgUnitId: 'futian.huafu' })).toBe(false);
    expect(mayGrant(yuanling, { role: 'team_leader', orgUnitId: 'futian' })).toBe(false);
    for (const role of ['station_liaison', 'volunteer', 'beneficiary', 'district_admin'] as Role[]) {
      expect(mayGrant(yuanling, { role, orgUnitId: 'futian.yuanling' }), role).toBe(false);
    }
  });

  it('team leaders, volunteers and everyone else grant nothing', () => {
    for (const actor of [leader, volunteer, { subject: 'f', role: 'beneficiary' } as Principal, { subject: 'g', role: 'assessor', scope: 'sz' } as Principal]) {
      for (const role of ['team_leader', 'volunteer', 'beneficiary'] as Role[]) {
        expect(mayGrant(actor, { role, orgUnitId: 'futian.yuanling' }), `${actor.role} → ${role}`).toBe(false);
      }
    }
    expect(Object.keys(GRANTABLE).sort()).toEqual(['city_admin', 'district_admin', 'station_liaison']);
  });

  it('an admin token without a scope grants nothing', () => {
    expect(mayGrant({ subject: 'x', role: 'district_admin' }, { role: 'team_leader', orgUnitId: 'futian' })).toBe(false);
  });
});

describe('scopes', () => {
  it('admin roles sit at their own org level', () => {
    expect(orgScopeFits('city_admin', 'sz')).toBe(true);
    expect(orgScopeFits('city_admin', 'futian')).toBe(false);
    expect(orgScopeFits('district_admin', 'futian')).toBe(true);
    expect(orgScopeFits('district_admin', 'futian.yuanling')).toBe(false);
    expect(orgScopeFits('station_liaison', 'futian.yuanling')).toBe(true);
    expect(orgScopeFits('station_liaison', 'futian.yuanling.c1')).toBe(true);
    expect(orgScopeFits('station_liaison', 'futian')).toBe(false);
    expect(orgScopeFits('beneficiary', 'futian')).toBe(true);
  });

  it('team leaders are scoped to a team, volunteers to themselves, the rest to a node', () => {
    expect(scopeKindOf('team_leader')).toBe('team');
    expect(scopeKindOf('volunteer')).toBe('volunteer');
    expect(scopeKindOf('district_admin')).toBe('org');
    expect(scopeKindOf('assessor')).toBe('org');
  });
});

const grant = (id: string, role: Role, scope: string, grantedAt: string): Grant => ({ id, role, scope, orgUnitId: 'futian', grantedAt, grantedBy: 'x' });

describe('the grant a token acts under', () => {
  const grants = [
    grant('G2', 'team_leader', 'T1', '2024-02-01T00:00:00.000Z'),
    grant('G1', 'district_admin', 'futian', '2024-01-01T00:00:00.000Z'),
  ];

  it('is the first granted unless another of the account’s grants is asked for', () => {
    expect(pickGrant(grants)?.id).toBe('G1');
    expect(pickGrant(grants, 'G2')?.id).toBe('G2');
    expect(pickGrant(grants, 'not-mine')?.id).toBe('G1');
    expect(pickGrant([])).toBeUndefined();
  });

  it('becomes the principal: scope for admins and leaders, volunteerId for volunteers', () => {
    expect(principalFor({ id: 'A' }, grants[1], 'S')).toEqual({
      subject: 'A',
      accountId: 'A',
      sessionId: 'S',
      role: 'district_admin',
      grantId: 'G1',
      scope: 'futian',
      volunteerId: undefined,
    });
    const v = principalFor({ id: 'A' }, grant('G3', 'volunteer', 'V1', '2024-01-01T00:00:00.000Z'));
    expect(v).toMatchObject({ role: 'volunteer', volunteerId: 'V1', scope: undefined, accountId: 'A' });
  });

  it('an account without grants is a resident with no scope', () => {
    expect(principalFor({ id: 'A' }, undefined)).toEqual({ subject: 'A', accountId: 'A', sessionId: undefined, role: 'beneficiary' });
  });

  it('an identical grant is recognised', () => {
    expect(holdsGrant(grants, 'team_leader', 'T1')).toBe(true);
    expect(holdsGrant(grants, 'team_leader', 'T2')).toBe(false);
  });
});
