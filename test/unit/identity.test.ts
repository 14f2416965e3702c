import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isValidCreditCode,
  isValidResidentId,
  maskPhone,
  maskResidentId,
  normalizeCreditCode,
  normalizeMobile,
  normalizeResidentId,
  residentIdCheckChar,
} from '../../shared/domain/identity.js';

const TODAY = new Date('2025-06-01T04:00:00Z');
// Builds an ID with a correct check character, so only the birth date decides validity.
const idBornOn = (yyyymmdd: string) => {
  const body = `440305${yyyymmdd}123`;
  return body + residentIdCheckChar(body);
};

describe('resident identity numbers (GB 11643)', () => {
  it('accepts the example number from the standard, 11010519491231002X', () => {
    expect(isValidResidentId('11010519491231002X', TODAY)).toBe(true);
  });

  it('accepts a lower-case trailing x', () => {
    expect(isValidResidentId('11010519491231002x', TODAY)).toBe(true);
  });

  it('normalises by trimming and upper-casing the trailing x', () => {
    expect(normalizeResidentId(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  it('computes X as the check character when the weighted sum mod 11 is 2', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('rejects a number whose check character is wrong', () => {
    expect(isValidResidentId('110105194912310029', TODAY)).toBe(false);
  });

  it('rejects any single changed digit of a valid number', () => {
    const valid = idBornOn('19800101');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const digit = String((Number(valid[pos]) + delta) % 10);
        expect(isValidResidentId(valid.slice(0, pos) + digit + valid.slice(pos + 1), TODAY)).toBe(false);
      }),
    );
  });

  it('rejects numbers that are not 18 characters or have a letter before the end', () => {
    expect(isValidResidentId('11010519491231002', TODAY)).toBe(false);
    expect(isValidResidentId('11010519491231002X0', TODAY)).toBe(false);
    expect(isValidResidentId('1101051949123100X2', TODAY)).toBe(false);
  });

  it('rejects a birth date that does not exist (29 February 2023) but accepts 29 February 2024', () => {
    expect(isValidResidentId(idBornOn('20230229'), TODAY)).toBe(false);
    expect(isValidResidentId(idBornOn('20240229'), TODAY)).toBe(true);
  });

  it('rejects month 13, month 00 and day 00', () => {
    for (const date of ['19801301', '19800001', '19800100']) expect(isValidResidentId(idBornOn(date), TODAY)).toBe(false);
  });

  it('rejects a birth year before 1900 even with a correct check character', () => {
    expect(isValidResidentId('440524188001010014', TODAY)).toBe(false);
    expect(isValidResidentId(idBornOn('19000101'), TODAY)).toBe(true);
  });

  it('rejects a birth date after today in Shanghai, and accepts one born today', () => {
    // 04:00 UTC on 1 June is already 1 June in Shanghai; 2 June is tomorrow.
    expect(isValidResidentId(idBornOn('20250602'), TODAY)).toBe(false);
    expect(isValidResidentId(idBornOn('20250601'), new Date('2025-05-31T16:30:00Z'))).toBe(true);
  });
});

describe('mobile numbers', () => {
  it('strips spaces, dashes and a +86 or 86 prefix', () => {
    expect(normalizeMobile('138 1234 5678')).toBe('13812345678');
    expect(normalizeMobile('+86 138-1234-5678')).toBe('13812345678');
    expect(normalizeMobile('8613812345678')).toBe('13812345678');
  });

  it('rejects numbers with a second digit below 3, the wrong length, or a foreign prefix', () => {
    expect(normalizeMobile('12812345678')).toBeNull();
    expect(normalizeMobile('1381234567')).toBeNull();
    expect(normalizeMobile('138123456789')).toBeNull();
    expect(normalizeMobile('+8713812345678')).toBeNull();
  });
});

describe('masking personal numbers', () => {
  it('shows a phone as 138****1234', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
  });

  it('shows an identity number with only the first 3 and last 4 characters', () => {
    expect(maskResidentId('44030519900101123X')).toBe('440***********123X');
  });

  it('hides a value entirely when it is too short to mask safely', () => {
    expect(maskPhone('1381234')).toBe('*******');
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('accepts the example code from the standard and a real Shenzhen company code', () => {
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91440300708461136T')).toBe(true);
  });

  it('accepts lower case, normalising to upper case', () => {
    expect(isValidCreditCode('91440300708461136t')).toBe(true);
    expect(normalizeCreditCode(' 91440300708461136t ')).toBe('91440300708461136T');
  });

  it('uses 0 as the check character when the weighted sum is a multiple of 31', () => {
    expect(isValidCreditCode('000000000000000000')).toBe(true);
  });

  it('rejects a wrong check character', () => {
    expect(isValidCreditCode('91440300708461136U')).toBe(false);
  });

  it('rejects letters outside the alphabet (I, O, Z, S, V) whatever the check character', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (const check of alphabet) expect(isValidCreditCode(`914403007084611I6${check}`)).toBe(false);
  });

  it('rejects codes that are not 18 characters', () => {
    expect(isValidCreditCode('91440300708461136')).toBe(false);
  });
});
