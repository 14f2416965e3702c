import { shanghaiDate } from './time.js';

// GB 11643-1999 (ISO 7064 MOD 11-2) weights and check characters.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

// GB 32100-2015: the alphabet omits I, O, Z, S, V to avoid confusion with digits.
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Trim and upper-case a trailing x, so one person always has one stored form. */
export function normalizeResidentId(raw: string): string {
  return raw.trim().replace(/x$/, 'X');
}

/** Check character for the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('Expected 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** `today` is only a parameter so tests can pin it; callers leave it out. */
export function isValidResidentId(raw: string, today: Date = new Date()): boolean {
  const id = normalizeResidentId(raw);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 30 Feb over to March; a round trip catches dates that do not exist.
  if (birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  const birthDate = id.slice(6, 10) + '-' + id.slice(10, 12) + '-' + id.slice(12, 14);
  return y >= 1900 && birthDate <= shanghaiDate(today);
}

/** Mainland mobile number as 11 digits, or null. Accepts spaces, dashes and a +86/86 prefix. */
export function normalizeMobile(raw: string): string | null {
  const match = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(raw.trim().replace(/[\s-]/g, ''));
  return match ? match[1] : null;
}

// Keep `head` and `tail` characters; anything too short to mask safely is hidden entirely.
function mask(value: string, head: number, tail: number): string {
  if (value.length <= head + tail) return '*'.repeat(value.length);
  return value.slice(0, head) + '*'.repeat(value.length - head - tail) + value.slice(-tail);
}

/** "13812341234" → "138****1234" */
export function maskPhone(phone: string): string {
  return mask(phone, 3, 4);
}

/** "44030519900101123X" → "440***********123X" */
export function maskResidentId(id: string): string {
  return mask(id, 3, 4);
}

/** Trim and upper-case; store this form so uniqueness checks compare like with like. */
export function normalizeCreditCode(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Unified social credit code (统一社会信用代码), GB 32100. Lower case accepted. */
export function isValidCreditCode(raw: string): boolean {
  const code = normalizeCreditCode(raw);
  if (code.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_ALPHABET.indexOf(code[i]);
    if (v < 0) return false;
    sum += v * CREDIT_WEIGHTS[i];
  }
  return CREDIT_ALPHABET[(31 - (sum % 31)) % 31] === code[17];
}
