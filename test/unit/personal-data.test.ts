import { describe, expect, it } from 'vitest';
import { ROLES, type Principal, type Role } from '../../shared/domain/access.js';
import { mayRevealIdNumber, phoneDisclosure, phoneFor, redactPersonalNumbers } from '../../shared/domain/personal-data.js';

const principal = (role: Role, volunteerId?: string): Principal => ({ subject: 's', role, scope: 'futian', volunteerId });

describe('who sees a phone in full', () => {
  const expected: Record<Role, 'full' | 'masked'> = {
    city_admin: 'masked',
    district_admin: 'masked',
    station_liaison: 'full',
    team_leader: 'masked',
    volunteer: 'masked',
    beneficiary: 'masked',
    assessor: 'masked',
  };
  it.each(ROLES.map((r) => [r, expected[r]] as const))('%s sees another volunteer’s phone %s', (role, disclosure) => {
    expect(phoneDisclosure(principal(role, 'me'), 'someone-else')).toBe(disclosure);
  });

  it('a volunteer sees their own phone in full', () => {
    expect(phoneDisclosure(principal('volunteer', 'me'), 'me')).toBe('full');
    expect(phoneFor(principal('volunteer', 'me'), 'me', '13812341234')).toBe('13812341234');
    expect(phoneFor(principal('volunteer', 'me'), 'other', '13812341234')).toBe('138****1234');
  });

  it('a volunteer id on a non-volunteer principal does not unlock it', () => {
    expect(phoneDisclosure(principal('team_leader', 'me'), 'me')).toBe('masked');
    expect(phoneDisclosure({ subject: 's', role: 'volunteer' }, '')).toBe('masked');
  });
});

describe('who may ask for an identity number in full', () => {
  it.each(ROLES.map((r) => [r, r === 'city_admin' || r === 'district_admin'] as const))('%s: %s', (role, allowed) => {
    expect(mayRevealIdNumber(principal(role))).toBe(allowed);
  });
});

describe('redacting free text (log lines)', () => {
  it.each([
    ['11010519491231002X', '110***********002X'],
    ['11010519491231002x', '110***********002x'],
    ['id=440304195503120011;', 'id=440***********0011;'],
    ['ID11010519491231002X', 'ID110***********002X'],
    ['first generation 110105491231002', 'first generation 110********1002'],
    ['13812341234', '138****1234'],
    ['+8613812341234', '138****1234'],
    ['86 138-1234-1234', '138****1234'],
    ['call 138 1234 1234 now', 'call 138****1234 now'],
    ['"phone":"19912345678"', '"phone":"199****5678"'],
  ])('%s → %s', (input, output) => {
    expect(redactPersonalNumbers(input)).toBe(output);
  });

  it.each([
    'SZV00000042',
    '01JB2X3Y4Z5A6B7C8D9E0F1G2H',
    '2024-05-01T09:30:00.000Z',
    '1714555800000',
    '12812341234',
    '138123412345',
    '1381234123',
    'minutes 18000',
  ])('leaves %s alone', (text) => {
    expect(redactPersonalNumbers(text)).toBe(text);
  });

  it('masks every occurrence', () => {
    expect(redactPersonalNumbers('13812341234 and 13912341234 and 11010519491231002X')).toBe('138****1234 and 139****1234 and 110***********002X');
  });
});
