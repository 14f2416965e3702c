import { describe, expect, it } from 'vitest';
import {
  assertGuardianGiven,
  assertPurposeFits,
  birthDateOfResidentId,
  checkRegistrationConsents,
  guardianConsentUntil,
  isUnder14,
  recordedByOf,
} from '../../shared/domain/consent.js';
import { residentIdCheckChar } from '../../shared/domain/identity.js';
import { sensitiveDetailsDisclosure } from '../../shared/domain/personal-data.js';
import { Failure } from '../../shared/errors.js';
import { ROLES, type Principal, type Role } from '../../shared/domain/access.js';

/** A valid resident ID for a birth date 'YYYYMMDD'. */
const idBornOn = (yyyymmdd: string) => {
  const first17 = `440304${yyyymmdd}123`;
  return first17 + residentIdCheckChar(first17);
};

const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Failure);
    expect((error as Failure).kind).toBe('invalid');
    return (error as Failure).errors.map((e) => e.path);
  }
  throw new Error('expected a 400');
};

const guardian = { name: '王丽', phone: '13800138000', relationship: 'parent' as const };
const staff: Principal = { subject: 'u-liaison', role: 'station_liaison', scope: 'futian.yuanling' };

describe('children under 14 need a guardian (age from the identity number, in Asia/Shanghai)', () => {
  it('reads the birth date from the identity number', () => {
    expect(birthDateOfResidentId(idBornOn('20120510'))).toBe('2012-05-10');
  });

  it('is under 14 up to and including the 14th birthday, and 14 from the day after', () => {
    const id = idBornOn('20120510');
    expect(isUnder14(id, new Date('2026-05-09T12:00:00+08:00'))).toBe(true);
    expect(isUnder14(id, new Date('2026-05-10T12:00:00+08:00'))).toBe(true);
    expect(isUnder14(id, new Date('2026-05-11T00:00:00+08:00'))).toBe(false);
  });

  it('counts the day in Asia/Shanghai, not UTC: 16:00Z on the 10th is already the 11th in Shenzhen', () => {
    const id = idBornOn('20120510');
    expect(isUnder14(id, new Date('2026-05-10T15:59:59Z'))).toBe(true);
    expect(isUnder14(id, new Date('2026-05-10T16:00:00Z'))).toBe(false);
  });

  it('someone born on 29 February is 14 from 1 March of a common year', () => {
    expect(guardianConsentUntil('2012-02-29')).toBe('2026-02-29');
    const id = idBornOn('20120229');
    expect(isUnder14(id, new Date('2026-02-28T12:00:00+08:00'))).toBe(true);
    expect(isUnder14(id, new Date('2026-03-01T12:00:00+08:00'))).toBe(false);
  });

  it('registering a child without a guardian is a 400 naming guardian (and the missing registration consent)', () => {
    const now = new Date('2026-01-01T00:00:00+08:00');
    expect(fieldsOf(() => checkRegistrationConsents({ type: 'volunteer', idNumber: idBornOn('20150101'), consents: [] }, now))).toEqual(['guardian', 'consents']);
    expect(
      fieldsOf(() => checkRegistrationConsents({ type: 'beneficiary', idNumber: idBornOn('20150101'), guardian, consents: [] }, now)),
    ).toEqual(['consents']);
  });

  it('a child with a guardian and a registration consent is registered, with the last day a guardian is needed', () => {
    const now = new Date('2026-01-01T00:00:00+08:00');
    expect(
      checkRegistrationConsents(
        { type: 'volunteer', idNumber: idBornOn('20150101'), guardian, consents: [{ purpose: 'registration', policyVersion: '2025-01' }] },
        now,
      ),
    ).toEqual({ guardianConsentUntil: '2029-01-01' });
  });

  it('an adult, or a beneficiary without an identity number, needs no guardian', () => {
    expect(checkRegistrationConsents({ type: 'volunteer', idNumber: '11010519491231002X', consents: [] })).toEqual({});
    expect(checkRegistrationConsents({ type: 'beneficiary', consents: [] })).toEqual({});
  });

  it('a later consent for someone still under 14 needs the guardian', () => {
    const now = new Date('2026-01-01T00:00:00+08:00');
    expect(fieldsOf(() => assertGuardianGiven('2029-01-01', undefined, now))).toEqual(['guardian']);
    expect(() => assertGuardianGiven('2029-01-01', guardian, now)).not.toThrow();
    expect(() => assertGuardianGiven('2025-12-31', undefined, now)).not.toThrow();
    expect(() => assertGuardianGiven(undefined, undefined, now)).not.toThrow();
  });
});

describe('purposes fit the kind of person', () => {
  it('public-name is for volunteers, sensitive-details for beneficiaries', () => {
    expect(() => assertPurposeFits('volunteer', 'public-name')).not.toThrow();
    expect(() => assertPurposeFits('beneficiary', 'sensitive-details')).not.toThrow();
    expect(fieldsOf(() => assertPurposeFits('volunteer', 'sensitive-details'))).toEqual(['purpose']);
    expect(fieldsOf(() => assertPurposeFits('beneficiary', 'public-name'))).toEqual(['purpose']);
    expect(
      fieldsOf(() => checkRegistrationConsents({ type: 'volunteer', consents: [{ purpose: 'sensitive-details', policyVersion: '1' }] })),
    ).toEqual(['consents.0.purpose']);
  });
});

describe('who recorded a consent', () => {
  it('a volunteer recording their own consent records it as self', () => {
    const me: Principal = { subject: 'u-v', role: 'volunteer', volunteerId: 'V1' };
    expect(recordedByOf(me, { type: 'volunteer', id: 'V1' }, undefined)).toMatchObject({ method: 'self', subject: 'u-v', role: 'volunteer' });
  });

  it('staff record paper consent and must give the signed form’s reference', () => {
    expect(recordedByOf(staff, { type: 'beneficiary', id: 'B1' }, 'YL-2025-1')).toMatchObject({ method: 'paper', documentRef: 'YL-2025-1' });
    expect(fieldsOf(() => recordedByOf(staff, { type: 'volunteer', id: 'V1' }, undefined))).toEqual(['documentRef']);
    expect(fieldsOf(() => recordedByOf(staff, { type: 'volunteer', id: 'V1' }, undefined, 'consents.1.documentRef'))).toEqual(['consents.1.documentRef']);
  });

  it('a volunteer recording for someone else is not “self”', () => {
    const other: Principal = { subject: 'u-v', role: 'volunteer', volunteerId: 'V2' };
    expect(fieldsOf(() => recordedByOf(other, { type: 'volunteer', id: 'V1' }, undefined))).toEqual(['documentRef']);
  });
});

describe('who sees a beneficiary’s sensitive details', () => {
  const expected: Record<Role, boolean> = {
    city_admin: true,
    district_admin: true,
    station_liaison: true,
    team_leader: false,
    volunteer: false,
    beneficiary: false,
    assessor: false,
  };
  const inScope = (role: Role): Principal => ({
    subject: 's',
    role,
    scope: role === 'city_admin' ? 'sz' : role === 'district_admin' ? 'futian' : 'futian.yuanling',
    volunteerId: 'V1',
  });
  it.each(ROLES.map((r) => [r, expected[r]] as const))('%s in scope, with the consent: shown = %s', (role, shown) => {
    expect(sensitiveDetailsDisclosure(inScope(role), { orgUnitId: 'futian.yuanling' }, true)).toBe(shown ? 'shown' : 'withheld');
  });

  it('nobody sees them without the consent, nor outside their scope', () => {
    for (const role of ROLES) expect(sensitiveDetailsDisclosure(inScope(role), { orgUnitId: 'futian.yuanling' }, false)).toBe('withheld');
    expect(sensitiveDetailsDisclosure({ subject: 's', role: 'district_admin', scope: 'luohu' }, { orgUnitId: 'futian.yuanling' }, true)).toBe('withheld');
  });
});
