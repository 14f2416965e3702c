/**
 * Data-subject rights (PIPL arts. 44–47; docs/data-model.md → Data-subject rights), as pure
 * rules: what a person may ask to have corrected, how a request moves, how personal values are
 * masked before they enter the audit trail, and what erasure keeps.
 *
 * Erasure keeps what the programme must keep and removes what identifies the person:
 * - kept: the volunteer item as a pseudonymous shell (id, volunteerNumber, orgUnitId,
 *   registeredAt, the pseudonym as name) — certificates (志愿服务记录证明) and statistics refer
 *   to it; hour records (volunteerId, activity, times, minutes, status) — the service record the
 *   办法 requires to be kept; tallies and rankings (with the pseudonym); enrollments and
 *   attendance in activities that have started or been checked into (activity and times only);
 *   messages already sent; audit entries (accountability of administrative changes; their
 *   personal values were masked when written);
 * - removed: name, phone, identity number (ciphertext, wrapped key and masked form), veteran
 *   details, skills, the phone and identity-number uniqueness items, the login account with its
 *   grants and login items, sessions (revoked), team memberships, the denormalised name on hour
 *   records, the proposed values of the person's correction requests, places in activities not
 *   started yet (withdrawn; the waitlist fills them) and messages not sent yet (cancelled).
 */
import { maskPhone, maskResidentId } from './identity.js';

/** The name an erased volunteer is shown under (rankings, certificates, lists). */
export const DELETED_VOLUNTEER_NAME = '已注销志愿者';

/** Everything that does not show: format characters (U+200E, U+00AD…), variation selectors, spaces. */
const INVISIBLE = /[\p{Cf}\p{Z}\s\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u115F\u1160\u3164\uFFA0]/gu;

/**
 * Whether a name would read as the pseudonym: compared after compatibility normalisation (full-
 * width and other look-alike forms) with invisible characters removed, so that a name padded with
 * a left-to-right mark or a soft hyphen cannot pass for an erased volunteer in a ranking.
 */
export const isReservedName = (name: string) => name.normalize('NFKC').replace(INVISIBLE, '') === DELETED_VOLUNTEER_NAME;

/** What a volunteer may ask to have corrected. Hour records go through hour appeals instead. */
export const CORRECTABLE_FIELDS = ['name', 'phone', 'skills', 'veteran'] as const;
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];

export const REQUEST_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type Decision = 'accept' | 'reject';

/** A request is decided once: only a pending one can be accepted or rejected. */
export const decideRequest = (
  status: RequestStatus,
  decision: Decision,
): { ok: true; status: Exclude<RequestStatus, 'pending'> } | { ok: false; detail: string } =>
  status === 'pending'
    ? { ok: true, status: decision === 'accept' ? 'accepted' : 'rejected' }
    : { ok: false, detail: `The request is already ${status}` };

/** 张建国 → 张*国, 李四 → 李*: a name as the audit trail and lists outside the person's own view show it. */
export const maskPersonName = (name: string) => {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
};

const MASKERS: Record<string, (value: string) => string> = {
  phone: maskPhone,
  idNumber: maskResidentId,
  name: maskPersonName,
  recipientPhone: maskPhone,
};

/**
 * A value as it may be written into an audit entry: personal fields (phone, identity number,
 * name) masked at any depth. Strings under other names are left alone; the identity number is
 * never in a record passed here in clear anyway (volunteers hold it sealed).
 */
export const maskForAudit = (value: unknown, field?: string): unknown => {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return field && MASKERS[field] ? MASKERS[field](value) : value;
  if (Array.isArray(value)) return value.map((v) => maskForAudit(v, field));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskForAudit(v, k)]));
  }
  return value;
};

/** One correction's before and after as the audit trail keeps them. */
export const correctionAuditValues = (field: CorrectableField, before: unknown, after: unknown) => ({
  before: { [field]: maskForAudit(before ?? null, field) },
  after: { [field]: maskForAudit(after ?? null, field) },
});
