/**
 * Who sees personal numbers in full (PIPL: the minimum, and in full only to roles that need
 * them), and the redaction that keeps them out of log lines. Pure rules; the views
 * (shared/http/views.ts) and the logger (shared/log.ts) apply them.
 *
 * Phones (shown as 138****1234):
 * - a station liaison sees them in full: liaisons phone volunteers to organise visits and duties;
 * - a volunteer sees their own in full;
 * - everyone else (city and district admins, team leaders, …) sees them masked.
 *
 * Identity numbers (shown as 440***********123X):
 * - masked for everyone, always;
 * - in full only to a city or district admin, only when asked for explicitly
 *   (`GET /v1/volunteers/{id}?reveal=idNumber`), and every such request is logged as an access
 *   event (who, whose, when — never the number).
 */
import type { Principal, Target } from './access.js';
import { isAllowed } from './policy.js';
import { maskPhone, maskResidentId } from './identity.js';

export type Disclosure = 'full' | 'masked';

/** The roles that may ask for an identity number in full. */
export const ID_NUMBER_REVEALERS = ['city_admin', 'district_admin'] as const;

export const phoneDisclosure = (viewer: Principal, subjectVolunteerId: string): Disclosure => {
  if (viewer.role === 'station_liaison') return 'full';
  if (viewer.role === 'volunteer' && !!viewer.volunteerId && viewer.volunteerId === subjectVolunteerId) return 'full';
  return 'masked';
};

/** May this role ask for an identity number in full (scope is checked separately)? */
export const mayRevealIdNumber = (viewer: Principal) => (ID_NUMBER_REVEALERS as readonly string[]).includes(viewer.role);

export const phoneFor = (viewer: Principal, subjectVolunteerId: string, phone: string) =>
  phoneDisclosure(viewer, subjectVolunteerId) === 'full' ? phone : maskPhone(phone);

// ── Redaction of free text (log lines) ─────────────────────────────────────────────────────────
// Digit boundaries only (not word boundaries), so a number glued to letters ("ID11010519491231002X")
// is still caught; masking a harmless number by mistake costs nothing.

/** 18-character resident ID (17 digits + digit or X), or a first-generation 15-digit one. */
const RESIDENT_ID = /(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])/g;
/** Mainland mobile, optionally +86/86 and separated by spaces or dashes. */
const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;

/** Masks every resident ID and mainland mobile in `text`. */
export const redactPersonalNumbers = (text: string): string =>
  text.replace(RESIDENT_ID, (id) => maskResidentId(id)).replace(MOBILE, (_m, a: string, b: string, c: string) => maskPhone(`${a}${b}${c}`));

// ── Beneficiaries' sensitive details (health, disability, hardship) ──────────────────────────
// Sensitive personal information (PIPL art. 28–29): stored only with the beneficiary's separate
// `sensitive-details` consent (shared/domain/consent.ts), sealed at rest, and shown only
//  - to the roles that serve the beneficiary, within their scope: station liaisons, district and
//    city admins (POLICY 'beneficiary:read-sensitive'); team leaders once care tasks assign them
//    (not yet), volunteers and assessors never;
//  - while that consent holds: withdrawing it erases the details (shared/data/consents.ts), and a
//    read checks the consent again.
// Lists never carry them; GET /v1/beneficiaries/{id} does, and each such read is logged as an
// access event (who, whose — never the details).

export type SensitiveDisclosure = 'shown' | 'withheld';

export const sensitiveDetailsDisclosure = (viewer: Principal, beneficiary: Target, consentHolds: boolean): SensitiveDisclosure =>
  consentHolds && isAllowed(viewer, 'beneficiary:read-sensitive', beneficiary) ? 'shown' : 'withheld';

/** Beneficiaries' phones follow the volunteers' rule: in full to station liaisons, who phone them. */
export const beneficiaryPhoneFor = (viewer: Principal, phone: string) => (viewer.role === 'station_liaison' ? phone : maskPhone(phone));
