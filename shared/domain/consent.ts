/**
 * Consent (PIPL art. 14–17, 28–31): what a person agreed to, under which version of the privacy
 * policy, who recorded it, and whether it still holds. Pure rules; storage is
 * shared/data/consents.ts.
 *
 * Purposes, and whom they concern:
 * - `registration`       processing a person's basic personal information (volunteers, beneficiaries);
 * - `public-name`        showing a volunteer's name on public rankings and honour lists (volunteers);
 * - `sensitive-details`  storing and using a beneficiary's health, disability and hardship details,
 *                        a separate consent because they are sensitive personal information (beneficiaries).
 *
 * Who recorded it: the person themselves (a volunteer recording their own consent in the app), or
 * staff on the strength of a signed paper form, whose reference (`documentRef`) is then required.
 *
 * Children under 14 (PIPL art. 31): their personal information is processed only with a
 * guardian's consent. Age comes from the birth date in the resident identity number, counted in
 * Asia/Shanghai, and a person "is 14" only from the day after their 14th birthday (the Supreme
 * People's Court's rule for 周岁, the conservative reading: on the birthday itself a guardian is
 * still needed). Someone born on 29 February turns 14 on 1 March of a common year.
 */
import { invalid, type FieldError } from '../errors.js';
import type { Principal } from './access.js';
import { normalizeResidentId } from './identity.js';
import { shanghaiDate } from './time.js';

export const CONSENT_PURPOSES = ['registration', 'public-name', 'sensitive-details'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_SUBJECT_TYPES = ['volunteer', 'beneficiary'] as const;
export type ConsentSubjectType = (typeof CONSENT_SUBJECT_TYPES)[number];

/** Which purposes a kind of person can consent to. */
export const PURPOSES_BY_SUBJECT: Record<ConsentSubjectType, readonly ConsentPurpose[]> = {
  volunteer: ['registration', 'public-name'],
  beneficiary: ['registration', 'sensitive-details'],
};

export const GUARDIAN_RELATIONSHIPS = ['parent', 'grandparent', 'sibling', 'other-relative', 'appointed-guardian'] as const;
export type GuardianRelationship = (typeof GUARDIAN_RELATIONSHIPS)[number];

export interface Guardian {
  name: string;
  phone: string;
  relationship: GuardianRelationship;
}

/** The age below which a guardian consents instead of the person (PIPL art. 31). */
export const GUARDIAN_CONSENT_AGE = 14;

/** 'YYYY-MM-DD' of the birth date in an 18-character resident identity number. */
export const birthDateOfResidentId = (idNumber: string): string => {
  const id = normalizeResidentId(idNumber);
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
};

/**
 * The last Asia/Shanghai calendar day on which a person born on `birthDate` still needs a
 * guardian's consent: their 14th birthday (as a 'YYYY-MM-DD' string, which may be a 29 February
 * that a common year lacks; string comparison then puts 28 February before and 1 March after it).
 */
export const guardianConsentUntil = (birthDate: string) =>
  `${String(Number(birthDate.slice(0, 4)) + GUARDIAN_CONSENT_AGE).padStart(4, '0')}${birthDate.slice(4)}`;

/** Is the person with this identity number under 14 on `now`'s Asia/Shanghai day? */
export const isUnder14 = (idNumber: string, now: Date = new Date()) =>
  shanghaiDate(now) <= guardianConsentUntil(birthDateOfResidentId(idNumber));

/** Does a person whose item says `guardianConsentUntil` still need a guardian on `now`? */
export const needsGuardian = (until: string | undefined, now: Date = new Date()) => !!until && shanghaiDate(now) <= until;

export interface ConsentInput {
  purpose: ConsentPurpose;
  policyVersion: string;
  documentRef?: string;
}

/** How a consent came to be recorded. */
export interface RecordedBy {
  method: 'self' | 'paper';
  subject: string;
  role: string;
  accountId?: string;
  /** The signed form's reference (paper consent). */
  documentRef?: string;
}

/**
 * Who records the consent: the volunteer themselves (in the app), or staff, who must name the
 * signed paper form. `path` is where a missing reference is reported.
 */
export const recordedByOf = (
  actor: Principal,
  subject: { type: ConsentSubjectType; id: string },
  documentRef: string | undefined,
  path = 'documentRef',
): RecordedBy => {
  const base = { subject: actor.subject, role: actor.role, ...(actor.accountId ? { accountId: actor.accountId } : {}) };
  if (subject.type === 'volunteer' && actor.role === 'volunteer' && actor.volunteerId === subject.id) {
    return { method: 'self', ...base, ...(documentRef ? { documentRef } : {}) };
  }
  if (!documentRef) {
    throw invalid({ zh: '工作人员代为登记同意时须填写书面同意书编号', en: 'Staff recording a consent must give the signed form’s reference' }, [
      { path, message: 'required when staff record a consent on paper' },
    ]);
  }
  return { method: 'paper', ...base, documentRef };
};

/** A purpose the kind of person cannot consent to is a 400 at `path`. */
export const assertPurposeFits = (type: ConsentSubjectType, purpose: ConsentPurpose, path = 'purpose') => {
  if (!PURPOSES_BY_SUBJECT[type].includes(purpose)) {
    throw invalid({ zh: '该同意事项不适用于此类人员', en: `A ${type} cannot give consent for ${purpose}` }, [
      { path, message: `must be one of ${PURPOSES_BY_SUBJECT[type].join(', ')} for a ${type}` },
    ]);
  }
};

/**
 * Registration of a volunteer or beneficiary: under 14 (by the identity number, if given), only
 * with a guardian and a `registration` consent in the same request; and every consent given in
 * the request fits the kind of person. Returns the day until which a guardian is needed (to be
 * stored on the person), or undefined for someone of 14 or over.
 */
export const checkRegistrationConsents = (
  input: { type: ConsentSubjectType; idNumber?: string; guardian?: Guardian; consents: ConsentInput[] },
  now: Date = new Date(),
): { guardianConsentUntil?: string } => {
  const errors: FieldError[] = [];
  input.consents.forEach((c, i) => {
    if (!PURPOSES_BY_SUBJECT[input.type].includes(c.purpose)) {
      errors.push({ path: `consents.${i}.purpose`, message: `must be one of ${PURPOSES_BY_SUBJECT[input.type].join(', ')} for a ${input.type}` });
    }
  });
  const child = !!input.idNumber && isUnder14(input.idNumber, now);
  if (child) {
    if (!input.guardian) errors.push({ path: 'guardian', message: 'required: the identity number shows a child under 14, who may be registered only with a guardian’s consent' });
    if (!input.consents.some((c) => c.purpose === 'registration')) {
      errors.push({ path: 'consents', message: 'must include the guardian’s registration consent for a child under 14' });
    }
  }
  if (errors.length) {
    throw invalid(
      child
        ? { zh: '未满十四周岁者须经监护人同意方可登记', en: 'A child under 14 can be registered only with a guardian’s consent' }
        : { zh: '请求参数校验失败', en: 'The request did not pass validation' },
      errors,
    );
  }
  return child ? { guardianConsentUntil: guardianConsentUntil(birthDateOfResidentId(input.idNumber!)) } : {};
};

/** Consent for someone who still needs a guardian names the guardian. */
export const assertGuardianGiven = (until: string | undefined, guardian: Guardian | undefined, now: Date = new Date()) => {
  if (needsGuardian(until, now) && !guardian) {
    throw invalid({ zh: '未满十四周岁者的同意须由监护人作出', en: 'Consent for a child under 14 must be given by a guardian' }, [
      { path: 'guardian', message: 'required: the person is under 14' },
    ]);
  }
};
